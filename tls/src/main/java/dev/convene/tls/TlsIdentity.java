package dev.convene.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * A certificate chain (leaf first) and its private key: what a TLS server (or a client doing
 * mutual TLS) presents. Read from PEM files as operators have them, or generated self-signed for
 * development and tests.
 *
 * <p>BouncyCastle is used only to parse and build the X.509 and PEM structures; keys, signatures
 * and TLS stay with the JDK's providers, so nothing depends on a registered BC provider (whose
 * signature the shaded jar would break).
 */
public record TlsIdentity(List<X509Certificate> chain, PrivateKey key) {

    /** Names every generated certificate covers, so local clients verify it whatever they dial. */
    public static final List<String> LOCAL_NAMES = List.of("localhost", "127.0.0.1", "::1");

    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*");

    public TlsIdentity {
        chain = List.copyOf(Objects.requireNonNull(chain, "chain"));
        Objects.requireNonNull(key, "key");
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a TLS identity needs at least one certificate");
        }
    }

    /** The leaf: the certificate naming this server. */
    public X509Certificate certificate() {
        return chain.getFirst();
    }

    /**
     * Reads a PEM certificate chain (leaf first, as web servers expect it) and a PEM private key
     * (PKCS#8, or traditional RSA/EC). Encrypted keys are refused: the server would need the
     * password at every reload.
     *
     * @throws IllegalArgumentException naming the file, if either cannot be read or parsed, or the
     *     key does not belong to the leaf certificate
     */
    public static TlsIdentity readPem(Path certificateFile, Path keyFile) {
        List<X509Certificate> chain = readCertificates(certificateFile);
        PrivateKey key = readKey(keyFile);
        if (!matches(chain.getFirst(), key)) {
            throw new IllegalArgumentException("the key in " + keyFile + " does not belong to the first certificate in "
                    + certificateFile);
        }
        return new TlsIdentity(chain, key);
    }

    /** Every certificate of a PEM file, in file order; at least one. */
    public static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> certificates = new ArrayList<>();
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object o; (o = parser.readObject()) != null; ) {
                if (o instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read certificates from " + file + ": " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no PEM certificate in " + file);
        }
        return List.copyOf(certificates);
    }

    private static PrivateKey readKey(Path file) {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(in)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o; (o = parser.readObject()) != null; ) {
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new IllegalArgumentException("the private key in " + file + " is encrypted; give an unencrypted key "
                            + "(readable only by the server's user)");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage().startsWith("the private key")) {
                throw iae;
            }
            throw new IllegalArgumentException("cannot read a private key from " + file + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("no PEM private key in " + file);
    }

    /** Whether {@code key} signs what {@code certificate}'s public key verifies. */
    private static boolean matches(X509Certificate certificate, PrivateKey key) {
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA"
                : key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : null;
        if (algorithm == null) {
            return certificate.getPublicKey().getAlgorithm().equals(key.getAlgorithm());
        }
        try {
            byte[] probe = "convene key check".getBytes(StandardCharsets.US_ASCII);
            java.security.Signature signer = java.security.Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * A fresh P-256 key and a self-signed certificate for {@code names} (host names and IP
     * literals) plus {@link #LOCAL_NAMES}, usable by servers and by clients (mutual TLS).
     */
    public static TlsIdentity selfSigned(List<String> names, Duration validity, Clock clock) {
        LinkedHashSet<String> all = new LinkedHashSet<>();
        names.stream().filter(n -> n != null && !n.isBlank()).map(n -> n.strip().toLowerCase(Locale.ROOT)).forEach(all::add);
        all.addAll(LOCAL_NAMES);
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            Instant now = clock.instant();
            // Backdated a little, so a peer whose clock is slightly behind still accepts it.
            Date notBefore = Date.from(now.minus(Duration.ofHours(1)));
            Date notAfter = Date.from(now.plus(validity));
            X500Name subject = new X500Name("CN=" + all.getFirst().replace(",", "") + ",O=Convene development");
            BigInteger serial = new BigInteger(64, new SecureRandom());
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial, notBefore, notAfter,
                    subject, pair.getPublic());
            List<GeneralName> alternatives = new ArrayList<>();
            for (String name : all) {
                alternatives.add(IP_LITERAL.matcher(name).matches() && isAddress(name)
                        ? new GeneralName(GeneralName.iPAddress, name) : new GeneralName(GeneralName.dNSName, name));
            }
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(alternatives.toArray(GeneralName[]::new)));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new TlsIdentity(List.of(certificate), pair.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate a self-signed certificate: " + e.getMessage(), e);
        }
    }

    private static boolean isAddress(String literal) {
        return org.bouncycastle.util.IPAddress.isValid(literal);
    }

    /** The DNS names and addresses the leaf certificate is valid for (its subject alternative names). */
    public List<String> names() {
        try {
            var alternatives = certificate().getSubjectAlternativeNames();
            return alternatives == null ? List.of() : alternatives.stream().map(a -> String.valueOf(a.get(1))).toList();
        } catch (java.security.cert.CertificateParsingException e) {
            return List.of();
        }
    }

    /** The certificate's SHA-256 fingerprint, {@code AB:CD:...}, as browsers and {@code openssl x509 -fingerprint} show it. */
    public String sha256Fingerprint() {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256(certificate().getEncoded()));
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo: the pin Chromium's
     * {@code --ignore-certificate-errors-spki-list} and HTTP public-key pinning take.
     */
    public String spkiSha256Base64() {
        return Base64.getEncoder().encodeToString(sha256(certificate().getPublicKey().getEncoded()));
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An in-memory PKCS#12 key store holding the key and chain under {@code alias}, protected by {@code password}. */
    public KeyStore keyStore(String alias, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(alias, key, password, chain.toArray(Certificate[]::new));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a key store: " + e.getMessage(), e);
        }
    }

    /** The chain as PEM text. */
    public String certificatePem() {
        return pem(chain.toArray());
    }

    /**
     * Writes the chain and the key as PEM files; the key file is made readable by its owner only,
     * and both appear whole (written beside, then moved), so a watching server never reads half a file.
     */
    public void writePem(Path certificateFile, Path keyFile) {
        try {
            write(certificateFile, certificatePem(), false);
            write(keyFile, pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null)), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + certificateFile + " / " + keyFile, e);
        }
    }

    private static void write(Path file, String text, boolean secret) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Path temporary = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
        if (secret) {
            try {
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system; the directory's permissions have to do
            }
        }
        Files.writeString(temporary, text, StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String pem(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                writer.writeObject(o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Parses PEM certificates from text (tests, and trust given inline). */
    public static List<X509Certificate> parseCertificates(String pem) {
        List<X509Certificate> certificates = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object o; (o = parser.readObject()) != null; ) {
                if (o instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("not PEM certificates: " + e.getMessage(), e);
        }
        return List.copyOf(certificates);
    }

    @Override
    public String toString() {
        return "TlsIdentity[subject=" + certificate().getSubjectX500Principal().getName() + ", sha256=" + sha256Fingerprint()
                + ", key=***]";
    }
}
