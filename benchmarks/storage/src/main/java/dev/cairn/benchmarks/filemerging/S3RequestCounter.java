package dev.cairn.benchmarks.filemerging;

import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Counts the HTTP requests that the AWS SDK's clients in this JVM send (every attempt, retries included). The SDK
 * installs it into every client it builds as a global interceptor, listed in
 * {@code software/amazon/awssdk/global/handlers/execution.interceptors}; so the file merging suite counts S3
 * requests on the client side without a proxy in the path and without changing Cairn's S3 provider.
 */
public final class S3RequestCounter implements ExecutionInterceptor {
    private static final LongAdder REQUESTS = new LongAdder();

    /** HTTP requests sent so far by any SDK client of this JVM. */
    public static long requests() {
        return REQUESTS.sum();
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes executionAttributes) {
        REQUESTS.increment();
    }
}
