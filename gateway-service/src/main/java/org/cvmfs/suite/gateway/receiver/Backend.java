package org.cvmfs.suite.gateway.receiver;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Qualifier;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an implementation of {@link Receiver} or {@link org.cvmfs.suite.gateway.receiver.PayloadReceiver}
 * as belonging to a receiver backend, {@code native} or {@code upstream}, as chosen by
 * {@code receiver_backend} in user.json.
 */
@Qualifier
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD, ElementType.PARAMETER})
public @interface Backend {
    String value();

    final class Literal extends AnnotationLiteral<Backend> implements Backend {
        private final String value;

        public Literal(String value) {
            this.value = value;
        }

        @Override
        public String value() {
            return value;
        }
    }
}
