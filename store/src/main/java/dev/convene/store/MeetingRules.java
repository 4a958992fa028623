package dev.convene.store;

/**
 * What a meeting's hosts decide about it: who may come in and whether a participant muted by a
 * host may unmute itself. Stored with the meeting (ADR 0016).
 *
 * @param locked       no new joins (hosts still may)
 * @param waitingRoom  joins wait until a host admits them
 * @param selfUnmute   a participant a host muted may unmute itself
 * @param passwordHash {@code MeetingPasswords} hash of the meeting's password, or null for none;
 *                     never the password itself
 */
public record MeetingRules(boolean locked, boolean waitingRoom, boolean selfUnmute, String passwordHash) {

    /** Anyone with the link and a token may join; no password. */
    public static final MeetingRules OPEN = new MeetingRules(false, false, true, null);

    public boolean hasPassword() {
        return passwordHash != null;
    }

    public MeetingRules with(RulesChange change) {
        return new MeetingRules(
                change.locked() == null ? locked : change.locked(),
                change.waitingRoom() == null ? waitingRoom : change.waitingRoom(),
                change.selfUnmute() == null ? selfUnmute : change.selfUnmute(),
                passwordHash);
    }

    /** A change of some of the switches; a null field is left as it is. */
    public record RulesChange(Boolean locked, Boolean waitingRoom, Boolean selfUnmute) {}
}
