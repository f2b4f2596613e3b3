package org.cvmfs.suite.protocol.http;

import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An {@link SSLContext} that stands for another, made on first use: the JDK's default context
 * (its trust store, key managers and protocols), or, in tests, one of the caller's. A client
 * speaking plain HTTP never uses it, so never pays for making it.
 */
final class DeferredTlsContext extends SSLContext {
    private final Spi spi;

    private DeferredTlsContext(Spi spi) {
        super(spi, null, "Default");
        this.spi = spi;
    }

    /** Stands for the JDK's default context. */
    static DeferredTlsContext ofDefault() {
        return of(SSLContext::getDefault);
    }

    static DeferredTlsContext of(ContextSource source) {
        return new DeferredTlsContext(new Spi(source));
    }

    /** True once something used TLS through this context. */
    boolean isMade() {
        return spi.made != null;
    }

    /** Makes the context stood for. */
    @FunctionalInterface
    interface ContextSource {
        SSLContext make() throws NoSuchAlgorithmException;
    }

    private static final class Spi extends SSLContextSpi {
        private final ContextSource source;
        private volatile SSLContext made;

        Spi(ContextSource source) {
            this.source = source;
        }

        private SSLContext context() {
            SSLContext c = made;
            if (c == null) {
                synchronized (this) {
                    c = made;
                    if (c == null) {
                        try {
                            c = source.make();
                        } catch (NoSuchAlgorithmException e) {
                            throw new IllegalStateException("TLS is not available in this JVM: " + e.getMessage(), e);
                        }
                        made = c;
                    }
                }
            }
            return c;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) throws KeyManagementException {
            throw new KeyManagementException("a deferred default context is initialised already");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return context().getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return context().getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return context().createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return context().createSSLEngine(host, port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return context().getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return context().getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return context().getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return context().getSupportedSSLParameters();
        }
    }
}
