package site;

import engine.UserError;

/** The site cannot be built as it should be; the message says why, in one or a few lines, and the exit code is 1. */
public final class BuildFailed extends UserError {
    public BuildFailed(String message) { super(message, 1); }
}
