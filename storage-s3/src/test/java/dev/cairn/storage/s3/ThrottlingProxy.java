package dev.cairn.storage.s3;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * An HTTP/1.1 proxy on 127.0.0.1 in front of an S3 server that answers chosen requests itself with an
 * S3 error (503 SlowDown, 500 InternalError, ...) and forwards every other request byte for byte, so
 * the client's signatures stay valid and the server's responses reach it unchanged.
 *
 * <p>Each client connection gets its own upstream connection. Requests are parsed only far enough to
 * find their end (Content-Length or chunked body); responses are relayed as a raw byte stream. That
 * works because the SDK's HTTP client never pipelines: it sends the next request on a connection only
 * after it has read the whole previous response, so an error answered by the proxy cannot interleave
 * with a relayed response. Every request is recorded, whether it was answered or forwarded.
 */
final class ThrottlingProxy implements AutoCloseable {
    /** A request as the proxy saw it. */
    record Request(String method, String target, boolean failed) {
        boolean isUploadPart() {
            return method.equals("PUT") && target.contains("partNumber=") && target.contains("uploadId=");
        }

        boolean isPutObject() {
            return method.equals("PUT") && !target.contains("uploadId=");
        }

        boolean isCompleteMultipart() {
            return method.equals("POST") && target.contains("uploadId=");
        }
    }

    /** Answers the next {@code remaining} requests that {@code matches} with the given error. */
    private static final class Rule {
        final Predicate<Request> matches;
        final int status;
        final String code;
        final String message;
        int remaining;

        Rule(Predicate<Request> matches, int times, int status, String code, String message) {
            this.matches = matches;
            this.remaining = times;
            this.status = status;
            this.code = code;
            this.message = message;
        }
    }

    private final URI upstream;
    private final ServerSocket server;
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "throttling-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<Rule> rules = new ArrayList<>();
    private final List<Request> seen = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    ThrottlingProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Answers the next {@code times} requests matching {@code matches} with 503 SlowDown. */
    synchronized void slowDown(Predicate<Request> matches, int times) {
        fail(matches, times, 503, "SlowDown", "Please reduce your request rate.");
    }

    /** Answers the next {@code times} requests matching {@code matches} with the given S3 error. */
    synchronized void fail(Predicate<Request> matches, int times, int status, String code, String message) {
        rules.add(new Rule(matches, times, status, code, message));
    }

    /** Every request seen so far, in arrival order. */
    List<Request> requests() {
        return List.copyOf(seen);
    }

    /** Requests seen so far that {@code filter} accepts. */
    List<Request> requests(Predicate<Request> filter) {
        return seen.stream().filter(filter).toList();
    }

    private synchronized Rule ruleFor(Request request) {
        for (Rule rule : rules) {
            if (rule.remaining > 0 && rule.matches.test(request)) {
                rule.remaining--;
                return rule;
            }
        }
        return null;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client; Socket origin = new Socket()) {
            sockets.add(origin);
            origin.connect(new InetSocketAddress(upstream.getHost(), upstream.getPort()));
            InputStream fromClient = client.getInputStream();
            OutputStream toClient = client.getOutputStream();
            OutputStream toOrigin = origin.getOutputStream();
            InputStream fromOrigin = origin.getInputStream();
            threads.execute(() -> relay(fromOrigin, toClient, client));
            while (true) {
                byte[] head = readHead(fromClient);
                if (head == null) {
                    return;
                }
                String text = new String(head, StandardCharsets.ISO_8859_1);
                String[] requestLine = text.substring(0, text.indexOf("\r\n")).split(" ");
                String expect = header(text.toLowerCase(Locale.ROOT), "expect");
                if (expect != null && expect.contains("100-continue")) {
                    // Answer for the origin, which never sees the header: the client sends the body only
                    // after a 100 or after waiting for one (3 s in the AWS SDK's Apache client).
                    synchronized (toClient) {
                        toClient.write(CONTINUE);
                        toClient.flush();
                    }
                    head = withoutHeader(text, "expect").getBytes(StandardCharsets.ISO_8859_1);
                }
                byte[] body = readBody(fromClient, text);
                Rule rule = ruleFor(new Request(requestLine[0], requestLine[1], false));
                seen.add(new Request(requestLine[0], requestLine[1], rule != null));
                if (rule != null) {
                    byte[] error = errorBody(rule, requestLine[1]);
                    String response = "HTTP/1.1 " + rule.status + " " + reason(rule.status) + "\r\n"
                            + "Content-Type: application/xml\r\n"
                            + "Content-Length: " + error.length + "\r\n"
                            + "x-amz-request-id: cairn-proxy-" + seen.size() + "\r\n\r\n";
                    synchronized (toClient) {
                        toClient.write(response.getBytes(StandardCharsets.ISO_8859_1));
                        toClient.write(error);
                        toClient.flush();
                    }
                } else {
                    toOrigin.write(head);
                    toOrigin.write(body);
                    toOrigin.flush();
                }
            }
        } catch (IOException e) {
            // The client or the server closed the connection.
        }
    }

    private static void relay(InputStream from, OutputStream to, Socket client) {
        byte[] buffer = new byte[64 * 1024];
        try {
            int n;
            while ((n = from.read(buffer)) >= 0) {
                synchronized (to) {
                    to.write(buffer, 0, n);
                    to.flush();
                }
            }
        } catch (IOException e) {
            // Connection gone.
        } finally {
            try {
                client.close();
            } catch (IOException e) {
                // Already closed.
            }
        }
    }

    /** The head without the header {@code name} (lower case). */
    private static String withoutHeader(String head, String name) {
        StringBuilder kept = new StringBuilder();
        for (String line : head.split("\r\n", -1)) {
            if (!line.toLowerCase(Locale.ROOT).startsWith(name + ":")) {
                kept.append(line).append("\r\n");
            }
        }
        return kept.substring(0, kept.length() - 2);
    }

    /** The request line and headers up to and including the blank line, or null at a clean end of stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new EOFException("request head cut short");
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toByteArray();
    }

    private static byte[] readBody(InputStream in, String head) throws IOException {
        String lower = head.toLowerCase(Locale.ROOT);
        String length = header(lower, "content-length");
        String encoding = header(lower, "transfer-encoding");
        if (encoding != null && encoding.contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine(in, body);
                int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!readLine(in, body).isEmpty()) {
                        // Trailer fields up to the final blank line.
                    }
                    return body.toByteArray();
                }
                body.write(in.readNBytes(size + 2));
            }
        }
        if (length != null) {
            int n = Integer.parseInt(length.trim());
            byte[] body = in.readNBytes(n);
            if (body.length != n) {
                throw new EOFException("request body cut short");
            }
            return body;
        }
        return new byte[0];
    }

    private static String readLine(InputStream in, ByteArrayOutputStream copy) throws IOException {
        StringBuilder line = new StringBuilder();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("chunked body cut short");
            }
            copy.write(b);
            if (previous == '\r' && b == '\n') {
                return line.substring(0, line.length() - 1);
            }
            line.append((char) b);
            previous = b;
        }
    }

    private static String header(String lowerHead, String name) {
        for (String line : lowerHead.split("\r\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    private static byte[] errorBody(Rule rule, String target) {
        String resource = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + rule.code + "</Code><Message>"
                + rule.message + "</Message><Resource>" + resource + "</Resource><RequestId>cairn-proxy</RequestId>"
                + "</Error>").getBytes(StandardCharsets.UTF_8);
    }

    private static String reason(int status) {
        switch (status) {
            case 500:
                return "Internal Server Error";
            case 503:
                return "Slow Down";
            default:
                return "Error";
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // Closing anyway.
        }
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // Closing anyway.
            }
        }
        threads.shutdownNow();
    }
}
