// Captures the SDP fixtures of this folder from a real headless Chromium.
//
// Run from a folder where playwright-core is installed (not inside the repository):
//   mkdir -p /tmp/sdpcap && cd /tmp/sdpcap && npm install playwright-core
//   node /path/to/sdp/src/test/resources/chromium/capture.mjs /path/to/sdp/src/test/resources/chromium
//
// CHROMIUM (default /usr/bin/chromium) selects the browser binary.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(join(process.cwd(), 'noop.js'));
const { chromium } = require('playwright-core');

const outDir = process.argv[2] ?? '.';
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

// The remote offer for fixture (d): what an ICE-lite SFU sends on the subscriber
// connection. Written by hand; Chromium answers it.
const REMOTE_OFFER = [
  'v=0',
  'o=- 7343049284735623845 1 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=ice-lite',
  'a=group:BUNDLE 0 1',
  'a=msid-semantic: WMS *',
  'a=fingerprint:sha-256 3A:96:6D:57:B2:C2:C7:61:A0:46:3E:1C:97:39:D3:F7:0A:88:A0:B1:EC:03:FB:10:A5:5D:3A:37:AB:DD:02:AA',
  'm=audio 50000 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 127.0.0.1',
  'a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host',
  'a=end-of-candidates',
  'a=ice-ufrag:cnvnSfu1',
  'a=ice-pwd:q8Jc2nZy7hR0vLw4XfTb9sKe',
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=sendonly',
  'a=msid:PA_alice TR_audio1',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=ssrc:1001 cname:convene',
  'a=ssrc:1001 msid:PA_alice TR_audio1',
  'm=video 50000 UDP/TLS/RTP/SAVPF 96 97',
  'c=IN IP4 127.0.0.1',
  'a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host',
  'a=end-of-candidates',
  'a=ice-ufrag:cnvnSfu1',
  'a=ice-pwd:q8Jc2nZy7hR0vLw4XfTb9sKe',
  'a=setup:actpass',
  'a=mid:1',
  'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=sendonly',
  'a=msid:PA_alice TR_video1',
  'a=rtcp-mux',
  'a=rtcp-rsize',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 goog-remb',
  'a=rtcp-fb:96 transport-cc',
  'a=rtcp-fb:96 ccm fir',
  'a=rtcp-fb:96 nack',
  'a=rtcp-fb:96 nack pli',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=ssrc-group:FID 2001 2002',
  'a=ssrc:2001 cname:convene',
  'a=ssrc:2001 msid:PA_alice TR_video1',
  'a=ssrc:2002 cname:convene',
  'a=ssrc:2002 msid:PA_alice TR_video1',
  '',
].join('\r\n');

// Runs inside the page. Every scenario returns the local description once ICE
// gathering is complete (or after 10 s, whichever comes first).
async function scenario(name, remoteOffer) {
  const gathered = (pc) => new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const timer = setTimeout(resolve, 10000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); }
    });
  });
  const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 1280, height: 720 } });
  const [audio] = media.getAudioTracks();
  const [video] = media.getVideoTracks();
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  if (name === 'answer') {
    await pc.setRemoteDescription({ type: 'offer', sdp: remoteOffer });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
  } else {
    if (name === 'default') {
      // The classic addTrack shape: sendrecv transceivers with the full codec list,
      // and a data channel for an m=application line.
      pc.addTrack(audio, media);
      pc.addTrack(video, media);
      pc.createDataChannel('chat');
    } else if (name === 'simulcast') {
      pc.addTransceiver(audio, { direction: 'sendonly', streams: [media] });
      pc.addTransceiver(video, {
        direction: 'sendonly', streams: [media],
        sendEncodings: [
          { rid: 'q', scaleResolutionDownBy: 4 },
          { rid: 'h', scaleResolutionDownBy: 2 },
          { rid: 'f' },
        ],
      });
    } else {
      pc.addTransceiver(audio, { direction: 'sendonly', streams: [media] });
      pc.addTransceiver(video, { direction: 'sendonly', streams: [media] });
      if (name === 'screen') {
        const canvas = document.createElement('canvas');
        canvas.width = 1920; canvas.height = 1080;
        const ctx = canvas.getContext('2d');
        ctx.fillStyle = '#336'; ctx.fillRect(0, 0, canvas.width, canvas.height);
        const screen = canvas.captureStream(5);
        const [screenTrack] = screen.getVideoTracks();
        screenTrack.contentHint = 'detail';
        pc.addTransceiver(screenTrack, { direction: 'sendonly', streams: [screen] });
      }
    }
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
  }
  await gathered(pc);
  const sdp = pc.localDescription.sdp;
  pc.close();
  media.getTracks().forEach((t) => t.stop());
  return sdp;
}

const userDataDir = mkdtempSync(join(tmpdir(), 'sdpcap-profile-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu',
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    '--allow-loopback-in-peer-connection',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
  ],
});
try {
  // getUserMedia needs a secure context: a file:// page is one, about:blank is not.
  const pagePath = join(userDataDir, 'capture.html');
  writeFileSync(pagePath, '<!doctype html><title>sdp capture</title>');
  const page = await context.newPage();
  await page.goto(`file://${pagePath}`);
  await page.evaluate(`window.__scenario = ${scenario.toString()}`);
  const version = context.browser()?.version() ?? await page.evaluate(() => navigator.userAgent);
  const files = {
    'publisher-offer-audio-video.sdp': ['sendonly', null],
    'publisher-offer-audio-video-screen.sdp': ['screen', null],
    'publisher-offer-simulcast.sdp': ['simulcast', null],
    'subscriber-answer.sdp': ['answer', REMOTE_OFFER],
    'offer-default-codecs.sdp': ['default', null],
  };
  for (const [file, [name, remote]] of Object.entries(files)) {
    const sdp = await page.evaluate(([n, r]) => window.__scenario(n, r), [name, remote]);
    writeFileSync(join(outDir, file), sdp);
    console.log(`${file}: ${sdp.length} chars`);
  }
  writeFileSync(join(outDir, 'subscriber-offer-handwritten.sdp'), REMOTE_OFFER);
  console.log(`browser version: ${version}`);
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
