//! godot-webrtc-rs patch 2: TURN over TCP and TLS (PATCHED.md 2).
//!
//! `turn::client::Client` talks to its server through any `util::Conn`; this
//! module gives it one made of a TCP or TLS stream. STUN messages and
//! ChannelData messages are self-delimiting (RFC 5766 sec 11.5, RFC 5389
//! sec 7.2.2), so framing is: read a 4-byte header, take the length from it,
//! and consume ChannelData's padding to a multiple of four bytes.
//!
//! One reader and one writer task own the stream's halves: `recv_from` and
//! `send_to` only wait on channels, so a caller dropping its future half-way
//! (the TURN client selects against timers) can never lose or split a frame.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Mutex};
use tokio::task::JoinHandle;
use util::Conn;

/// Frames queued between the socket and the TURN client, each way.
const QUEUE_FRAMES: usize = 256;
/// STUN header (20) + the largest length its 16-bit field can give.
const MAX_FRAME: usize = 20 + u16::MAX as usize;

/// How the client reaches its TURN server (the URL's scheme and transport).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnTransport {
    Udp,
    Tcp,
    Tls,
}

impl TurnTransport {
    /// `udp`, `tcp` or `tls`, as browsers report `relayProtocol`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Udp => "udp",
            Self::Tcp => "tcp",
            Self::Tls => "tls",
        }
    }

    /// The ICE type preference of a relay candidate reached this way: libwebrtc
    /// ranks relays over UDP above TCP above TLS (2, 1, 0), all below srflx.
    pub fn relay_type_preference(self) -> u32 {
        match self {
            Self::Udp => 2,
            Self::Tcp => 1,
            Self::Tls => 0,
        }
    }
}

/// godot-webrtc-rs patch 4: "udp", "tcp" or "tls" for a relay candidate of
/// this agent (read back from the type preference `relay_priority` gave it),
/// "" for any other candidate.
pub(crate) fn relay_protocol(candidate: &dyn crate::candidate::Candidate) -> String {
    if candidate.candidate_type() != crate::candidate::CandidateType::Relay {
        return String::new();
    }
    match candidate.priority() >> 24 {
        2 => "udp",
        1 => "tcp",
        _ => "tls",
    }
    .to_owned()
}

/// The priority of a relay candidate (RFC 8445 sec 5.1.2.1, local preference 65535).
pub fn relay_priority(transport: TurnTransport, component: u16) -> u32 {
    (1 << 24) * transport.relay_type_preference() + (1 << 8) * 65535 + (256 - u32::from(component))
}

/// The length of the frame whose first four bytes are `header`, padding
/// included, and how many of those bytes are the message itself.
fn frame_length(header: [u8; 4]) -> Result<(usize, usize), String> {
    let length = usize::from(u16::from_be_bytes([header[2], header[3]]));
    match header[0] >> 6 {
        // STUN: 20-byte header, then `length` bytes of attributes.
        0b00 => Ok((20 + length, 20 + length)),
        // ChannelData (channel numbers 0x4000-0x7FFF): padded over streams.
        0b01 => {
            let message = 4 + length;
            Ok((message.div_ceil(4) * 4, message))
        }
        _ => Err(format!(
            "the TURN server sent a frame that is neither STUN nor ChannelData (first byte {:#04x})",
            header[0]
        )),
    }
}

/// Reads one frame; `Ok(None)` at a clean end of stream.
async fn read_frame<R: AsyncRead + Unpin>(reader: &mut R) -> Result<Option<Vec<u8>>, String> {
    let mut header = [0u8; 4];
    match reader.read_exact(&mut header).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.to_string()),
    }
    let (on_wire, message) = frame_length(header)?;
    let mut frame = vec![0u8; on_wire];
    frame[..4].copy_from_slice(&header);
    reader
        .read_exact(&mut frame[4..])
        .await
        .map_err(|e| e.to_string())?;
    frame.truncate(message);
    Ok(Some(frame))
}

/// A TURN client's connection to its server over a byte stream.
pub struct StreamConn {
    local: SocketAddr,
    server: SocketAddr,
    inbound: Mutex<mpsc::Receiver<Result<Vec<u8>, String>>>,
    outbound: mpsc::Sender<Vec<u8>>,
    tasks: [JoinHandle<()>; 2],
}

impl StreamConn {
    /// Takes over `stream` (connected from `local` to `server`).
    pub fn new<S>(stream: S, local: SocketAddr, server: SocketAddr) -> Self
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (mut reader, mut writer) = tokio::io::split(stream);
        let (inbound_tx, inbound) = mpsc::channel(QUEUE_FRAMES);
        let (outbound, mut outbound_rx) = mpsc::channel::<Vec<u8>>(QUEUE_FRAMES);
        let read_task = tokio::spawn(async move {
            loop {
                let frame = match read_frame(&mut reader).await {
                    Ok(Some(frame)) => Ok(frame),
                    Ok(None) => Err("the TURN server closed the connection".to_owned()),
                    Err(e) => Err(e),
                };
                let last = frame.is_err();
                if inbound_tx.send(frame).await.is_err() || last {
                    return;
                }
            }
        });
        let write_task = tokio::spawn(async move {
            while let Some(frame) = outbound_rx.recv().await {
                if writer.write_all(&frame).await.is_err() {
                    return;
                }
                // Write what else is queued before one flush (TLS records).
                while let Ok(frame) = outbound_rx.try_recv() {
                    if writer.write_all(&frame).await.is_err() {
                        return;
                    }
                }
                if writer.flush().await.is_err() {
                    return;
                }
            }
            let _ = writer.shutdown().await;
        });
        Self {
            local,
            server,
            inbound: Mutex::new(inbound),
            outbound,
            tasks: [read_task, write_task],
        }
    }
}

impl Drop for StreamConn {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

#[async_trait]
impl Conn for StreamConn {
    async fn connect(&self, _addr: SocketAddr) -> util::Result<()> {
        Err(util::Error::Other(
            "StreamConn is connected already".to_owned(),
        ))
    }

    async fn recv(&self, buf: &mut [u8]) -> util::Result<usize> {
        Ok(self.recv_from(buf).await?.0)
    }

    async fn recv_from(&self, buf: &mut [u8]) -> util::Result<(usize, SocketAddr)> {
        let frame = self.inbound.lock().await.recv().await;
        match frame {
            Some(Ok(frame)) => {
                // As a datagram socket does: what does not fit is cut off.
                let n = frame.len().min(buf.len());
                buf[..n].copy_from_slice(&frame[..n]);
                Ok((n, self.server))
            }
            Some(Err(e)) => Err(util::Error::Other(e)),
            None => Err(util::Error::Other(
                "the TURN connection is closed".to_owned(),
            )),
        }
    }

    async fn send(&self, buf: &[u8]) -> util::Result<usize> {
        self.send_to(buf, self.server).await
    }

    async fn send_to(&self, buf: &[u8], _target: SocketAddr) -> util::Result<usize> {
        if buf.len() > MAX_FRAME {
            return Err(util::Error::Other(format!(
                "a {}-byte frame is too large for TURN",
                buf.len()
            )));
        }
        let mut frame = buf.to_vec();
        // ChannelData must be padded over a stream; turn's encoder already
        // pads, this keeps the stream framed whatever the caller sent.
        if buf.first().is_some_and(|b| b >> 6 == 0b01) {
            frame.resize(frame.len().div_ceil(4) * 4, 0);
        }
        self.outbound
            .send(frame)
            .await
            .map_err(|_| util::Error::Other("the TURN connection is closed".to_owned()))?;
        Ok(buf.len())
    }

    fn local_addr(&self) -> util::Result<SocketAddr> {
        Ok(self.local)
    }

    fn remote_addr(&self) -> Option<SocketAddr> {
        Some(self.server)
    }

    async fn close(&self) -> util::Result<()> {
        for task in &self.tasks {
            task.abort();
        }
        Ok(())
    }

    fn as_any(&self) -> &(dyn std::any::Any + Send + Sync) {
        self
    }
}

/// The TLS settings for `turns:` servers: the operating system's trust store
/// (`SSL_CERT_FILE` / `SSL_CERT_DIR` replace it, as in OpenSSL), loaded once.
fn tls_config() -> Result<Arc<rustls::ClientConfig>, String> {
    static CONFIG: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let found = rustls_native_certs::load_native_certs();
            let mut roots = rustls::RootCertStore::empty();
            let (added, _ignored) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                let errors: Vec<String> = found.errors.iter().map(|e| e.to_string()).collect();
                return Err(format!(
                    "no trusted root certificates found (set SSL_CERT_FILE to a PEM bundle){}",
                    if errors.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", errors.join("; "))
                    }
                ));
            }
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_root_certificates(roots)
                .with_no_client_auth();
            Ok(Arc::new(config))
        })
        .clone()
}

/// Resolves `host:port`, preferring IPv4 (the relayed allocation is IPv4).
async fn resolve(host: &str, port: u16) -> Result<SocketAddr, String> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or(addrs.first())
        .copied()
        .ok_or_else(|| format!("{host} has no address"))
}

/// Connects to a TURN server over TCP or TLS within `limit` (TCP connect and
/// TLS handshake together). TLS verifies the certificate for `host` (SNI).
pub async fn connect(
    transport: TurnTransport,
    host: &str,
    port: u16,
    limit: Duration,
) -> Result<StreamConn, String> {
    let work = async {
        let server = resolve(host, port).await?;
        let tcp = TcpStream::connect(server)
            .await
            .map_err(|e| format!("cannot connect to {server} over TCP: {e}"))?;
        // TURN frames are small and latency matters more than batching.
        let _ = tcp.set_nodelay(true);
        let local = tcp.local_addr().map_err(|e| e.to_string())?;
        match transport {
            TurnTransport::Tcp => Ok(StreamConn::new(tcp, local, server)),
            TurnTransport::Tls => {
                let name = rustls::pki_types::ServerName::try_from(host.to_owned())
                    .map_err(|e| format!("'{host}' is not a valid TLS server name: {e}"))?;
                let tls = tokio_rustls::TlsConnector::from(tls_config()?)
                    .connect(name, tcp)
                    .await
                    .map_err(|e| format!("TLS handshake with {server} failed: {e}"))?;
                Ok(StreamConn::new(tls, local, server))
            }
            TurnTransport::Udp => Err("UDP is not a stream transport".to_owned()),
        }
    };
    match tokio::time::timeout(limit, work).await {
        Ok(result) => result,
        Err(_) => Err(format!(
            "no {} connection within {} s",
            transport.as_str().to_uppercase(),
            limit.as_secs()
        )),
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn frame_lengths_follow_stun_and_padded_channel_data() {
        // STUN binding request without attributes, and with 8 bytes of them.
        assert_eq!(frame_length([0x00, 0x01, 0, 0]), Ok((20, 20)));
        assert_eq!(frame_length([0x01, 0x01, 0, 8]), Ok((28, 28)));
        // ChannelData on 0x4000: 5 bytes of data is 9, padded to 12 on a stream.
        assert_eq!(frame_length([0x40, 0x00, 0, 5]), Ok((12, 9)));
        assert_eq!(frame_length([0x7f, 0xff, 0, 4]), Ok((8, 8)));
        assert!(frame_length([0x80, 0, 0, 0]).is_err());
        assert!(frame_length([0xc0, 0, 0, 0]).is_err());
    }

    #[test]
    fn relay_priorities_rank_udp_over_tcp_over_tls_below_srflx() {
        let udp = relay_priority(TurnTransport::Udp, 1);
        let tcp = relay_priority(TurnTransport::Tcp, 1);
        let tls = relay_priority(TurnTransport::Tls, 1);
        assert!(udp > tcp && tcp > tls, "{udp} {tcp} {tls}");
        // A server-reflexive candidate has type preference 100.
        assert!(udp < (1 << 24) * 100);
    }

    /// Frames written by one `StreamConn` arrive whole at another, in order,
    /// through a real TCP connection, with ChannelData padding consumed.
    #[tokio::test]
    async fn frames_cross_a_tcp_stream_whole_and_in_order() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = connect(
            TurnTransport::Tcp,
            "127.0.0.1",
            addr.port(),
            Duration::from_secs(5),
        );
        let (client, accepted) = tokio::join!(client, listener.accept());
        let client = client.unwrap();
        let (stream, peer) = accepted.unwrap();
        let server = StreamConn::new(stream, addr, peer);

        let stun = {
            let mut m = vec![0x00, 0x01, 0x00, 0x04];
            m.extend_from_slice(&[0x21, 0x12, 0xa4, 0x42]);
            m.extend_from_slice(&[7u8; 12]);
            m.extend_from_slice(&[1, 2, 3, 4]);
            m
        };
        let channel_data = vec![0x40, 0x01, 0x00, 0x03, 9, 8, 7];
        for _ in 0..100 {
            client.send_to(&stun, addr).await.unwrap();
            client.send_to(&channel_data, addr).await.unwrap();
        }
        let mut buf = vec![0u8; 2048];
        for _ in 0..100 {
            let (n, from) = server.recv_from(&mut buf).await.unwrap();
            assert_eq!((&buf[..n], from), (&stun[..], peer));
            let (n, _) = server.recv_from(&mut buf).await.unwrap();
            assert_eq!(
                &buf[..n],
                &channel_data[..],
                "padding is consumed, not delivered"
            );
        }
        client.close().await.unwrap();
        assert!(
            server.recv_from(&mut buf).await.is_err(),
            "end of stream is an error"
        );
    }

    #[tokio::test]
    async fn an_unreachable_server_fails_with_its_address() {
        // A port nobody listens on: bind one, then free it.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let err = connect(
            TurnTransport::Tcp,
            "127.0.0.1",
            port,
            Duration::from_secs(5),
        )
        .await
        .err()
        .unwrap();
        assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    }
}
