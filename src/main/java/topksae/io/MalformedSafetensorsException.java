package topksae.io;

import java.io.IOException;

/** A file that is not a valid safetensors file, or not the tensors a layout requires. */
public class MalformedSafetensorsException extends IOException {
    public MalformedSafetensorsException(String message) {
        super(message);
    }

    public MalformedSafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
