package dev.convene.sdp;

/**
 * A line this model keeps but does not interpret: {@code i= u= e= p= r= z= k=}.
 */
public record OtherLine(char letter, String content) implements SdpLine {
    /** The letters kept as {@code OtherLine}. */
    static final String LETTERS = "iueprzk";

    public OtherLine {
        if (LETTERS.indexOf(letter) < 0) {
            throw new IllegalArgumentException("OtherLine holds only i= u= e= p= r= z= k= lines, not '" + letter + "='");
        }
        Syntax.requireLineText(content, letter + "= line");
    }

    @Override
    public String toString() {
        return letter + "=" + content;
    }
}
