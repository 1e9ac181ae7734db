package dev.cairn.error;

/** A configuration was rejected when it was built: the message names the option(s) and the reason. */
public class ConfigurationException extends CairnException {
    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
