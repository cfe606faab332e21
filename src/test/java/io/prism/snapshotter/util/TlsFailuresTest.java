package io.prism.snapshotter.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.Test;

class TlsFailuresTest {
  static final String KEY = "index.redis.tls.ca.file";

  /** As JSSE throws it, under a client's own wrapper. */
  static Exception wrapped(Exception tls) {
    return new RuntimeException("SSL Problem", new IOException("connect failed", tls));
  }

  @Test
  void anUntrustedCertificateNamesTheSettingThatGivesTheCa() {
    SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
    untrusted.initCause(
        new CertPathBuilderException(
            "unable to find valid certification path to requested target"));

    assertThat(TlsFailures.explain(wrapped(untrusted), KEY))
        .hasValueSatisfying(
            reason ->
                assertThat(reason)
                    .contains("not signed by a CA this connection trusts")
                    .contains("unable to find valid certification path")
                    .contains(KEY));
  }

  @Test
  void aCertificateForAnotherHostSaysSo() {
    SSLHandshakeException mismatch =
        new SSLHandshakeException("No subject alternative names matching IP address 10.0.0.9");
    mismatch.initCause(
        new CertificateException("No subject alternative names matching IP address 10.0.0.9"));

    assertThat(TlsFailures.explain(wrapped(mismatch), KEY))
        .hasValueSatisfying(
            reason -> assertThat(reason).contains("does not name the host").contains("10.0.0.9"));
  }

  @Test
  void refusedCertificatesAreToldFromHandshakesCutShort() {
    SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
    untrusted.initCause(new CertPathBuilderException("unable to find valid certification path"));
    SSLPeerUnverifiedException apacheHostCheck =
        new SSLPeerUnverifiedException(
            "Certificate for <10.0.0.9> doesn't match any of the subject alternative names: [a]");

    assertThat(TlsFailures.refusedCertificate(wrapped(untrusted))).isTrue();
    assertThat(TlsFailures.refusedCertificate(wrapped(apacheHostCheck))).isTrue();
    assertThat(TlsFailures.explain(apacheHostCheck, KEY))
        .hasValueSatisfying(reason -> assertThat(reason).contains("does not name the host"));
    assertThat(
            TlsFailures.refusedCertificate(
                wrapped(new SSLHandshakeException("Remote host terminated the handshake"))))
        .isFalse();
  }

  @Test
  void anyOtherHandshakeFailureKeepsJssesWords() {
    assertThat(
            TlsFailures.explain(
                wrapped(new SSLHandshakeException("Remote host terminated the handshake")), KEY))
        .hasValueSatisfying(
            reason ->
                assertThat(reason)
                    .startsWith("the TLS handshake failed: Remote host terminated the handshake"));
  }

  @Test
  void aServerRefusingTheClientCertificateNamesTheSettingThatGivesOne() {
    SSLHandshakeException refused = new SSLHandshakeException("Received fatal alert: unknown_ca");
    assertThat(TlsFailures.explain(wrapped(refused), KEY, "index.x.tls.client.cert.file"))
        .hasValueSatisfying(
            reason ->
                assertThat(reason)
                    .startsWith(
                        "the TLS handshake failed: the server refused this connection's client"
                            + " certificate (Received fatal alert: unknown_ca)")
                    .contains("in index.x.tls.client.cert.file"));
    SSLHandshakeException none =
        new SSLHandshakeException("Received fatal alert: certificate_required");
    assertThat(TlsFailures.explain(wrapped(none), KEY, "index.x.tls.client.cert.file"))
        .hasValueSatisfying(
            reason ->
                assertThat(reason)
                    .startsWith(
                        "the TLS handshake failed: the server asks for a TLS client certificate and"
                            + " this connection gave none (Received fatal alert:"
                            + " certificate_required)")
                    .contains("in index.x.tls.client.cert.file"));
    // Without a client certificate setting to name: JSSE's words, as before.
    assertThat(TlsFailures.explain(wrapped(refused), KEY))
        .hasValueSatisfying(
            reason ->
                assertThat(reason).doesNotContain("client certificate").contains("unknown_ca"));
  }

  @Test
  void failuresThatAreNotTlsAreLeftAlone() {
    assertThat(TlsFailures.explain(new IOException("Connection refused"), KEY)).isEmpty();
    assertThat(TlsFailures.explain(new RuntimeException(), KEY)).isEmpty();
  }
}
