package dev.strata.platform.audit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The offline verifier: {@code java -jar platform-audit.jar EXPORT --key KEY.pem [--key ...]
 * [--anchor CHECKPOINTS]}. Needs nothing of Strata: the export file, the public key(s) obtained
 * from the operator, and optionally checkpoints kept from earlier. Exit status 0 when the chain
 * holds, 1 when it does not, 2 for a usage or input error (or when the verifier runs out of
 * memory, and cannot say).
 */
public final class AuditVerifyMain {

    private AuditVerifyMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path file = null;
        List<Path> keyFiles = new ArrayList<>();
        List<Path> anchorFiles = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--key") || a.equals("-k") || a.equals("--anchor") || a.equals("-a")) && i + 1 < args.length) {
                (a.startsWith("--k") || a.equals("-k") ? keyFiles : anchorFiles).add(Path.of(args[++i]));
            } else if (a.equals("--key") || a.equals("-k") || a.equals("--anchor") || a.equals("-a")) {
                err.println(a + " needs a file after it; expected " + a + (a.contains("k") ? " PUBLIC-KEY.pem" : " CHECKPOINTS.jsonl"));
                usage(err);
                return 2;
            } else if ((a.equals("-h") || a.equals("--help")) && args.length == 1) {
                usage(out);
                return 0;
            } else if (a.equals("-h") || a.equals("--help")) {
                // with a file or keys, status 0 would read as a verification that held, while nothing was verified
                err.println(a + " is given with other arguments, and nothing was verified; expected " + a + " alone, or an export and its keys");
                usage(err);
                return 2;
            } else if (a.startsWith("-") || file != null) {
                err.println("unexpected argument '" + a + "'");
                usage(err);
                return 2;
            } else {
                file = Path.of(a);
            }
        }
        if (file == null || keyFiles.isEmpty()) {
            usage(err);
            return 2;
        }
        Lines errors = new Lines(err);
        Path reading = null;
        try {
            List<PublicKey> keys = new ArrayList<>();
            for (Path k : keyFiles) {
                reading = k;
                try {
                    keys.addAll(AuditKeys.readPublicKeys(read(k, StandardCharsets.US_ASCII)));
                } catch (IllegalArgumentException e) {
                    errors.println(k + ": " + e.getMessage());
                    return 2;
                }
            }
            List<Checkpoint> anchors = new ArrayList<>();
            for (Path a : anchorFiles) {
                reading = a;
                anchors.addAll(ExportFile.readAnchors(a));
            }
            reading = file;
            long start = System.nanoTime();
            ExportFile.Result result;
            try {
                result = ExportFile.verify(file, keys, anchors);
            } catch (OutOfMemoryError | StackOverflowError | IllegalStateException e) {
                // a line within the limit can still take more memory (or stack) than this JVM has: no verdict, and no stack trace
                Throwable cause = e instanceof IllegalStateException ? e.getCause() : e;
                if (!(cause instanceof OutOfMemoryError || cause instanceof StackOverflowError)) {
                    throw e;
                }
                boolean stack = cause instanceof StackOverflowError;
                errors.println("cannot verify " + file + ": the verifier ran out of " + (stack ? "stack (" + cause + ")" : "memory (" + cause
                        + ", at most " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB of heap)") + "; run it with more "
                        + (stack ? "stack (java -Xss16m" : "memory (java -Xmx2g") + " -jar platform-audit.jar ...)");
                return 2;
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            print(out, file, result, keys, anchors.size(), ms);
            return result.verification().holds() ? 0 : 1;
        } catch (IOException e) {
            errors.println("cannot read " + reading + ": " + why(reading, e));
            return 2;
        } catch (IllegalArgumentException e) {
            // an anchor file's message quotes its text
            errors.println(e.getMessage());
            return 2;
        }
    }

    /** Why a file could not be read, in words: the JDK's message of a missing file is only its path, of a directory "Is a directory". */
    static String why(Path file, IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "there is no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (file != null && Files.isDirectory(file)) {
            return "it is a directory; expected a file";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * Prints the report. Every line goes through {@link Verification#printable}, and every text
     * the file chose (the log id, the export's time and instance, the records' times, the last
     * checkpoint's time, the kinds' names) is shown in double quotes ({@link #fromFile}): the file
     * may be hostile, and a forged log id {@code x; RESULT: the chain holds} must read as the
     * file's words, not the verifier's.
     */
    static void print(PrintStream terminal, Path file, ExportFile.Result result, List<PublicKey> keys, int anchors, long ms) {
        Lines out = new Lines(terminal);
        Verification v = result.verification();
        out.println("Strata provenance log " + (result.header() == null ? "(no header)" : fromFile(result.header().log())));
        out.println("file            " + file + (result.header() == null ? "" : "; its header (not signed) says exported "
                + fromFile(result.header().exportedAt())
                + (result.header().exportedBy() == null || result.header().exportedBy().isEmpty() ? "" : " by "
                        + fromFile(result.header().exportedBy()))));
        out.println("trusted keys    " + keys.stream().map(AuditKeys::keyId).collect(Collectors.joining(", "))
                + (anchors > 0 ? "; " + anchors + " anchored checkpoints" : ""));
        out.println("records         " + v.records() + (v.records() == 0 ? "" : " (" + v.firstSeq() + ".." + v.lastSeq() + "), "
                + fromFile(v.firstTime()) + " .. " + fromFile(v.lastTime())) + (v.holds() ? "" : " verified before the failure"));
        out.println("checkpoints     " + v.checkpoints() + " verified, signed through record " + v.signedThrough()
                + (v.keyIds().isEmpty() ? "" : " by key " + String.join(", ", v.keyIds())));
        if (v.holds()) {
            // what the header says is unsigned; an earlier export's last checkpoint can close a file cut short
            out.println("complete as of  " + fromFile(v.signedAt()) + ", when its last checkpoint was signed; the log may have grown since");
        }
        if (!v.kinds().isEmpty()) {
            out.println("kinds           " + v.kinds().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> kind(e.getKey()) + " " + e.getValue()).collect(Collectors.joining(", ")));
        }
        out.println("took            " + ms + " ms");
        out.println(v.holds() ? "RESULT: the chain holds"
                : "RESULT: FAILED at " + v.failedAt() + (v.failedSeq() > 0 ? " (record " + v.failedSeq() + ")" : "") + ": " + v.failure());
    }

    /**
     * A text the verified file chose, as the report shows it: in double quotes, a quote or
     * backslash inside it written with a backslash before it (so text in the file that looks like
     * an escape reads apart from a character {@link Verification#printable} escaped), a longer
     * one cut as {@link Verification#quoted} cuts it, its length after the closing quote.
     */
    static String fromFile(String text) {
        if (text == null) {
            return "(none)";
        }
        String cut = Verification.quoted(text);
        String more = "";
        if (text.length() > Verification.QUOTED_CHARS) {
            int end = cut.lastIndexOf("... (");
            more = cut.substring(end);
            cut = cut.substring(0, end);
        }
        return '"' + cut.replace("\\", "\\\\").replace("\"", "\\\"") + '"' + more;
    }

    /**
     * A kind as the report shows it: the file's name for it in quotes, a name the verifier cut
     * (longer than {@link ChainVerifier#KIND_CHARS}) with its {@code ...} after the closing quote,
     * and the verifier's own {@link ChainVerifier#OTHER_KINDS} bare.
     */
    private static String kind(String name) {
        if (name.equals(ChainVerifier.OTHER_KINDS)) {
            return name;
        }
        return name.length() > ChainVerifier.KIND_CHARS ? fromFile(name.substring(0, ChainVerifier.KIND_CHARS)) + "..." : fromFile(name);
    }

    /** The largest key file read, 1 MiB: an Ed25519 public key in PEM is 113 bytes, so thousands of them. */
    static final int MAX_KEY_FILE_BYTES = 1 << 20;

    private static String read(Path file, java.nio.charset.Charset charset) throws IOException {
        byte[] bytes = ExportFile.readAtMost(file, MAX_KEY_FILE_BYTES, "Ed25519 public keys in PEM, 113 bytes each");
        // a UTF-8 byte order mark, which an editor or a transfer adds, carries nothing, as in the export
        int bom = bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf ? 3 : 0;
        try {
            return charset.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes, bom, bytes.length - bom)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("it is not " + charset + " text; expected a PEM file");
        }
    }

    /** Prints lines with what could act on a terminal escaped. */
    private record Lines(PrintStream out) {
        void println(String line) {
            out.println(Verification.printable(line));
        }
    }

    private static void usage(PrintStream s) {
        s.println("usage: java -jar platform-audit.jar EXPORT.jsonl --key PUBLIC-KEY.pem [--key ...] [--anchor CHECKPOINTS.jsonl]");
        s.println("  EXPORT.jsonl     a log written by strata:audit-export");
        s.println("  --key FILE       Ed25519 public key(s) in PEM, obtained from the operator (strata:audit-export --public-key)");
        s.println("  --anchor FILE    checkpoints kept from earlier exports (the last line of each; one JSON object a line): the log must");
        s.println("                   reach and match them. Without them, a log cut short and closed with an earlier checkpoint holds");
    }
}
