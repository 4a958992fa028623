/**
 * A small, exact SDP model (RFC 8866) for WebRTC offer/answer: {@link dev.convene.sdp.SdpParser}
 * reads text into {@link dev.convene.sdp.SessionDescription}s, which write it back unchanged,
 * and builders make the SFU's own descriptions. No dependencies beyond the JDK.
 */
package dev.convene.sdp;
