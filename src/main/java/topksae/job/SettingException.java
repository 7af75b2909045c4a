package topksae.job;

/** A setting is unknown or has an invalid value; the message names the setting. */
public final class SettingException extends RuntimeException {
    public SettingException(String message) {
        super(message);
    }
}
