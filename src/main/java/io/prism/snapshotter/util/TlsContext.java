package io.prism.snapshotter.util;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * One backend's TLS: the CAs it trusts, the certificate it presents, and whether a server asked it
 * for one.
 *
 * <p>Why the last: with TLS 1.3 a server that wants a client certificate and gets none does not
 * fail the handshake; it closes the connection when the client first sends, and the client sees
 * "Broken pipe" or "Connection reset", which reads as an outage. Redis's TLS asks every client by
 * default ({@code tls-auth-clients yes}). Knowing that the server asked, and that we had nothing to
 * give, turns that into the setting to fix.
 */
public final class TlsContext {
  private final SSLContext context;
  private final boolean presentsCertificate;
  private final AtomicBoolean askedAndGaveNone = new AtomicBoolean();
  private final AtomicBoolean asked = new AtomicBoolean();

  private TlsContext(SSLContext context, boolean presentsCertificate) {
    this.context = context;
    this.presentsCertificate = presentsCertificate;
  }

  /**
   * @param ca the CAs to trust; null: the JVM's trust store
   * @param client the certificate to present when asked; null: none
   */
  public static TlsContext of(TlsCaFile ca, TlsClientIdentity client) {
    TlsContext tls;
    try {
      tls = new TlsContext(SSLContext.getInstance("TLS"), client != null);
      X509KeyManager delegate = client == null ? null : (X509KeyManager) client.keyManagers()[0];
      tls.context.init(
          new KeyManager[] {tls.new RecordingKeyManager(delegate)},
          ca == null ? null : ca.trustManagers(),
          null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "Cannot make a TLS context (CA " + ca + ", client certificate " + client + ")", e);
    }
    return tls;
  }

  public SSLContext sslContext() {
    return context;
  }

  public SSLSocketFactory socketFactory() {
    return context.getSocketFactory();
  }

  /**
   * A server asked for a client certificate and this context gave none: it has none, or none signed
   * by a CA the server named as one it accepts ({@link #presentsCertificate} tells which).
   */
  public boolean refusedForWantOfACertificate() {
    return askedAndGaveNone.get();
  }

  /** Whether a server asked this context for a client certificate, given or not. */
  public boolean askedForCertificate() {
    return asked.get();
  }

  /** Whether a client certificate is configured at all. */
  public boolean presentsCertificate() {
    return presentsCertificate;
  }

  /** Hands out the configured certificate, if any, and notes that a server asked for one. */
  private final class RecordingKeyManager extends X509ExtendedKeyManager {
    private final X509KeyManager delegate;

    RecordingKeyManager(X509KeyManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return noted(delegate == null ? null : delegate.chooseClientAlias(keyType, issuers, socket));
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      if (delegate instanceof X509ExtendedKeyManager extended) {
        return noted(extended.chooseEngineClientAlias(keyType, issuers, engine));
      }
      return noted(delegate == null ? null : delegate.chooseClientAlias(keyType, issuers, null));
    }

    /** The server asked: whether a certificate goes (an alias) or none does (null). */
    private String noted(String alias) {
      asked.set(true);
      askedAndGaveNone.set(alias == null);
      return alias;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return delegate == null ? null : delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null; // a client only
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return delegate == null ? null : delegate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return delegate == null ? null : delegate.getPrivateKey(alias);
    }
  }
}
