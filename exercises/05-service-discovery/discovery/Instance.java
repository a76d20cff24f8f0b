package discovery;

import java.net.URI;

/**
 * One running copy of a service, as the registry lists it: a name that stays the same while the instance lives
 * ({@code catalog-2}), and where to reach it ({@code http://127.0.0.1:41237}).
 */
public record Instance(String id, URI uri) {}
