import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The benches' load generator: one keep-alive HTTP/1.1 connection per client thread, writing a request prepared once
 * (headers and a multipart body holding the photo) in which only a fixed-width counter changes, and reading the answer
 * (Content-Length or chunked) without keeping it. It costs the machine it shares with the service a few tens of
 * microseconds per request, where {@code java.net.http.HttpClient} with a body built per request cost about 2.7 ms of
 * CPU (measured 2026-12-06: 6.7 s of client CPU for 2,500 requests at concurrency 8), CPU the service then lacked.
 */
final class LoadClient implements AutoCloseable {

    /**
     * A POST of one photo as the multipart field "photo", whose JPEG carries a comment segment with a counter: every
     * request new bytes (so no cache hit), the same pixels. Not thread-safe: one per client thread.
     */
    static final class PhotoRequest {
        private static final int DIGITS = 19;
        private final byte[] bytes;
        private final int counterAt;

        PhotoRequest(URI base, String path, byte[] jpeg, String tag) {
            String boundary = "lensbench" + Long.toHexString(System.nanoTime());
            byte[] comment = (tag + "-" + "0".repeat(DIGITS)).getBytes(StandardCharsets.US_ASCII);
            byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.jpg\"\r\n"
                    + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
            int photoLength = jpeg.length + 4 + comment.length;
            long bodyLength = (long) head.length + photoLength + tail.length;
            byte[] headers = ("POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nContent-Type: multipart/form-data; boundary=" + boundary + "\r\nContent-Length: " + bodyLength
                    + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            bytes = new byte[(int) (headers.length + bodyLength)];
            int at = 0;
            System.arraycopy(headers, 0, bytes, at, headers.length);
            at += headers.length;
            System.arraycopy(head, 0, bytes, at, head.length);
            at += head.length;
            // SOI, then a COM segment (FF FE, length including itself), then the rest of the JPEG
            bytes[at] = jpeg[0];
            bytes[at + 1] = jpeg[1];
            bytes[at + 2] = (byte) 0xFF;
            bytes[at + 3] = (byte) 0xFE;
            bytes[at + 4] = (byte) ((comment.length + 2) >> 8);
            bytes[at + 5] = (byte) (comment.length + 2);
            System.arraycopy(comment, 0, bytes, at + 6, comment.length);
            counterAt = at + 6 + comment.length - DIGITS;
            System.arraycopy(jpeg, 2, bytes, at + 6 + comment.length, jpeg.length - 2);
            at += photoLength;
            System.arraycopy(tail, 0, bytes, at, tail.length);
        }

        /** The request with {@code n} as its counter. */
        byte[] with(long n) {
            for (int i = DIGITS - 1; i >= 0; i--, n /= 10) {
                bytes[counterAt + i] = (byte) ('0' + n % 10);
            }
            return bytes;
        }
    }

    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final byte[] skip = new byte[16384];
    private boolean retryAfter;

    LoadClient(URI base) {
        this.host = base.getHost();
        this.port = base.getPort() < 0 ? 80 : base.getPort();
    }

    /**
     * Sends the request and reads the whole answer; its status. Reconnects when the server closed the connection or
     * the last connect failed (which before left a socket without streams: every later send failed with an NPE).
     */
    int send(byte[] request) throws IOException {
        try {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(host, port), 10_000);
                socket.setSoTimeout(60_000);
                in = new BufferedInputStream(socket.getInputStream(), 16384);
                out = socket.getOutputStream();
            }
            out.write(request);
            out.flush();
            return readResponse();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private int readResponse() throws IOException {
        String status = line();
        if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
            throw new IOException("not an HTTP/1.1 status line: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        retryAfter = false;
        for (String h; !(h = line()).isEmpty(); ) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(h.substring(15).strip());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            } else if (lower.startsWith("retry-after:")) {
                retryAfter = true;
            }
        }
        if (chunked) {
            for (long n; (n = Long.parseLong(line().split(";")[0].strip(), 16)) > 0; ) {
                discard(n);
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
        } else if (length >= 0) {
            discard(length);
        } else {
            close = true; // body until the connection closes
            while (in.read(skip) >= 0) {
                // discard
            }
        }
        if (close) {
            close();
        }
        return code;
    }

    /** Whether the last answer {@link #send} read carried a Retry-After header. */
    boolean retryAfter() {
        return retryAfter;
    }

    private void discard(long n) throws IOException {
        while (n > 0) {
            int r = in.read(skip, 0, (int) Math.min(skip.length, n));
            if (r < 0) {
                throw new IOException("the connection closed inside an answer");
            }
            n -= r;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("the connection closed inside an answer's head");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
