package dev.npukit.mepic.replay;

import dev.npukit.mepic.Request;

/**
 * A request of a replayed workload. Its decode length is {@code request.maxNewTokens()}.
 *
 * @param arrivalS arrival time in seconds, or NaN to draw it from the Poisson arrival process
 * @param request the segments (chunks and prompts) and decode length
 */
public record ReplayRequest(double arrivalS, Request request) {
}
