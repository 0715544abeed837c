import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor of a blocking read on a virtual thread, measured in isolation (bin/bench-handoff): a client on a platform
 * thread sends 100 bytes over loopback to an echo handler and waits for them back, one message at a time with a pause
 * between, so that the handler is parked each time a message comes, as a proxy's connection thread is at a light load.
 * The handler is a platform thread (the kernel wakes it when the bytes arrive) or a virtual thread (the JDK's poller
 * thread is woken, and hands the thread to a carrier, which must be woken in turn), under whatever scheduler settings
 * the JVM was started with. Prints the round trip's percentiles and the CPU time the JVM spent per round trip.
 *
 * <p>Usage: {@code java HandOff.java platform|virtual COUNT PAUSE_MICROS}
 */
public final class HandOff {

    private static final int SIZE = 100;

    public static void main(String[] args) throws Exception {
        boolean virtual = args[0].equals("virtual");
        int count = Integer.parseInt(args[1]);
        long pauseNanos = Long.parseLong(args[2]) * 1000;
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> accept(server, virtual));
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            client.setTcpNoDelay(true);
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            byte[] message = new byte[SIZE];
            long[] nanos = new long[count];
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpuBefore = 0;
            for (int i = -count / 2; i < count; i++) { // the first half-count warms the JIT up, unmeasured
                if (i == 0) {
                    cpuBefore = os.getProcessCpuTime();
                }
                long start = System.nanoTime();
                out.write(message);
                readFully(in, message);
                if (i >= 0) {
                    nanos[i] = System.nanoTime() - start;
                }
                LockSupport.parkNanos(pauseNanos);
            }
            long cpu = os.getProcessCpuTime() - cpuBefore;
            Arrays.sort(nanos);
            System.out.printf("%-8s %-40s p50 %6.1f µs  p90 %6.1f µs  p99 %7.1f µs  CPU %5.1f µs per round trip%n",
                    args[0], virtual ? settings() : "", micros(nanos[count / 2]), micros(nanos[count * 9 / 10]),
                    micros(nanos[count * 99 / 100]), cpu / 1e3 / count);
        }
    }

    private static String settings() {
        return "parallelism=" + System.getProperty("jdk.virtualThreadScheduler.parallelism", "default")
                + " pollerMode=" + System.getProperty("jdk.pollerMode", "default");
    }

    private static double micros(long nanos) {
        return nanos / 1e3;
    }

    private static void accept(ServerSocket server, boolean virtual) {
        try {
            while (true) {
                Socket s = server.accept();
                Runnable echo = () -> echo(s);
                if (virtual) {
                    Thread.ofVirtual().start(echo);
                } else {
                    Thread.ofPlatform().daemon().start(echo);
                }
            }
        } catch (IOException e) {
            // The JVM is on its way out.
        }
    }

    private static void echo(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] message = new byte[SIZE];
            while (readFully(in, message)) {
                out.write(message);
            }
        } catch (IOException e) {
            // The client is done.
        }
    }

    private static boolean readFully(InputStream in, byte[] into) throws IOException {
        int got = 0;
        while (got < into.length) {
            int n = in.read(into, got, into.length - got);
            if (n < 0) {
                return false;
            }
            got += n;
        }
        return true;
    }
}
