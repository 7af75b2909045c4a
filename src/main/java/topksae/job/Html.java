package topksae.job;

/** HTML text helpers for the report. */
final class Html {
    private Html() {}

    /** Escapes text for element content and double-quoted attributes. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
