package dev.cairn.state;

/** The kinds of keyed state; stored with a snapshot so a restore cannot reinterpret one as another. */
public enum StateType {
    VALUE(1), LIST(2), MAP(3), REDUCING(4), AGGREGATING(5);

    private final int code;

    StateType(int code) {
        this.code = code;
    }

    /** The stable code written to snapshots. */
    public int code() {
        return code;
    }

    /** The type for a stored code, or {@code null} if the code is unknown. */
    public static StateType ofCode(int code) {
        for (StateType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
