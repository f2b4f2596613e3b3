package org.cvmfs.suite.notify.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 connection driven byte by byte, to see exactly what a libcurl-based subscriber
 * sees: status line, headers, and each chunk of a chunked body as the server wrote it.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    public int status;
    public final Map<String, String> headers = new LinkedHashMap<>();

    public RawHttp(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(30_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Sends a request the way libcurl does for a GET with a body (form Content-Type, no Accept). */
    public void send(String method, String path, byte[] body) throws IOException {
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: cvmfs/2.12.0\r\n"
                + "Accept: */*\r\nContent-Length: " + body.length
                + "\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads the status line and headers. */
    public RawHttp readHead() throws IOException {
        String statusLine = line();
        status = Integer.parseInt(statusLine.split(" ")[1]);
        headers.clear();
        for (String h = line(); !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
        }
        return this;
    }

    /** Reads one chunk of a chunked body; an empty array is the final chunk. */
    public byte[] readChunk() throws IOException {
        int size = Integer.parseInt(line().strip(), 16);
        byte[] data = in.readNBytes(size);
        if (data.length != size || !line().isEmpty()) {
            throw new IOException("chunk of " + size + " bytes is malformed");
        }
        return data;
    }

    /** Reads a body of Content-Length bytes. */
    public byte[] readBody() throws IOException {
        return in.readNBytes(Integer.parseInt(headers.get("content-length")));
    }

    /** Whether the server closed the connection (within the read timeout). */
    public boolean closedByPeer(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        try {
            return in.read() < 0;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed by the server");
            }
            b.write(c);
        }
        String s = b.toString(StandardCharsets.US_ASCII);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
