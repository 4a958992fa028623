package dev.convene.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --log-format json}: turns each log line the server writes (simplelogger.properties:
 * {@code <UTC time> <LEVEL> <logger> - event=… key=value key="quoted value"}) into one JSON
 * object — {@code ts}, {@code level}, {@code logger}, then every key of the message as a field
 * ({@code meeting_id}, {@code participant_id}, …). A message that is not key=value pairs goes in
 * {@code message}; a line that is not a log line (a stack trace's) becomes {@code {"line": …}}.
 * Values of keys that name a secret (token, secret, password, credential) are replaced: the code
 * logs none, and this keeps a slip out of the log store.
 */
final class JsonLogLines extends OutputStream {

    private static final Pattern LOG_LINE = Pattern.compile("^(\\S+) (TRACE|DEBUG|INFO|WARN|ERROR) (\\S+) - (.*)$");
    private static final Pattern PAIR = Pattern.compile("\\G\\s*([A-Za-z_][A-Za-z0-9_.]*)=(\"((?:[^\"\\\\]|\\\\.)*)\"|\\S*)");
    private static final Pattern SECRET = Pattern.compile("(?i).*(token|secret|password|credential|authorization).*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OutputStream out;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    JsonLogLines(OutputStream out) {
        this.out = out;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        if (b == '\n') {
            flushLine();
        } else {
            line.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush();
    }

    private void flushLine() throws IOException {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        out.write(toJson(text).getBytes(StandardCharsets.UTF_8));
        out.write('\n');
        out.flush();
    }

    /** One log line as one JSON object (no line breaks in it). */
    static String toJson(String text) {
        ObjectNode node = JSON.createObjectNode();
        Matcher m = LOG_LINE.matcher(text);
        if (!m.matches()) {
            node.put("line", text);
            return write(node);
        }
        node.put("ts", m.group(1));
        node.put("level", m.group(2).toLowerCase(Locale.ROOT));
        node.put("logger", m.group(3));
        String message = m.group(4);
        ObjectNode fields = JSON.createObjectNode();
        Matcher pair = PAIR.matcher(message);
        int end = 0;
        while (end < message.length() && pair.find() && pair.end() > end) {
            String key = pair.group(1);
            String value = pair.group(3) != null ? pair.group(3).replace("\\\"", "\"") : pair.group(2);
            fields.put(key, SECRET.matcher(key).matches() ? "[redacted]" : value);
            end = pair.end();
        }
        if (fields.isEmpty() || !message.substring(end).isBlank()) {
            node.put("message", message);
        } else {
            node.setAll(fields);
        }
        return write(node);
    }

    private static String write(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            return "{\"line\":\"unwritable log line\"}";
        }
    }
}
