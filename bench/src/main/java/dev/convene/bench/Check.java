package dev.convene.bench;

import dev.convene.media.routing.RewriteResult;

/**
 * Fails the benchmark instead of measuring a fast error path: a refused SRTP packet or a
 * dropped rewrite would make the numbers look better than the real work.
 */
final class Check {
    private Check() {}

    static int length(int srtpResult) {
        if (srtpResult < 0) {
            throw new IllegalStateException("SRTP refused the packet: error " + srtpResult);
        }
        return srtpResult;
    }

    static RewriteResult forwarded(RewriteResult result) {
        if (result != RewriteResult.FORWARD) {
            throw new IllegalStateException("rewriter did not forward: " + result);
        }
        return result;
    }
}
