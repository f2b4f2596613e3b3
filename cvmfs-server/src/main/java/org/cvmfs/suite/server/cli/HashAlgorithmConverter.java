package org.cvmfs.suite.server.cli;

import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code sha1}, {@code rmd160} or {@code shake128}, as in {@code CVMFS_HASH_ALGORITHM}. */
final class HashAlgorithmConverter implements ITypeConverter<HashAlgorithm> {
    @Override
    public HashAlgorithm convert(String value) {
        try {
            return HashAlgorithm.fromConfigName(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
