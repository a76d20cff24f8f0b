package gateway;

import java.util.Map;
import java.util.Optional;

/**
 * Who a bearer token belongs to. Here a fixed table; in production, the signature and expiry of a JWT checked
 * against the identity provider's keys, or a call to its introspection endpoint. The gateway only asks.
 */
@FunctionalInterface
public interface TokenVerifier {
    /** The id of the user this token was issued to, or empty when the token is unknown, expired or forged. */
    Optional<String> userFor(String token);

    /** A verifier that knows exactly these tokens, each mapped to its user's id. */
    static TokenVerifier of(Map<String, String> tokenToUser) {
        Map<String, String> known = Map.copyOf(tokenToUser);
        return token -> Optional.ofNullable(known.get(token));
    }
}
