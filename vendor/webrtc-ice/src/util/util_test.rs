use super::*;

#[tokio::test]
async fn test_local_interfaces() -> Result<()> {
    let vnet = Arc::new(Net::new(None));
    let interfaces = vnet.get_interfaces().await;
    let ips = local_interfaces(
        &vnet,
        &None,
        &None,
        &[NetworkType::Udp4, NetworkType::Udp6],
        false,
    )
    .await;

    let ips_with_loopback = local_interfaces(
        &vnet,
        &None,
        &None,
        &[NetworkType::Udp4, NetworkType::Udp6],
        true,
    )
    .await;
    assert!(ips_with_loopback.is_superset(&ips));
    assert!(!ips.iter().any(|ip| ip.is_loopback()));
    assert!(ips_with_loopback.iter().any(|ip| ip.is_loopback()));
    log::info!(
        "interfaces: {interfaces:?}, ips: {ips:?}, ips_with_loopback: {ips_with_loopback:?}"
    );
    Ok(())
}

// godot-webrtc-rs patch 1: a lost binding request is sent again, and only the
// response with its transaction id counts (not a stray datagram).
#[tokio::test]
async fn test_stun_request_retransmits_and_matches_the_transaction() -> Result<()> {
    let server = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
    let server_addr = server.local_addr()?;
    let requests = tokio::spawn(async move {
        let mut buf = vec![0u8; 1500];
        // The first request is "lost".
        let _ = server.recv_from(&mut buf).await?;
        let (n, from) = server.recv_from(&mut buf).await?;
        let mut request = Message::new();
        request.raw = buf[..n].to_vec();
        request.decode()?;
        server.send_to(b"not a stun message", from).await?;
        let mut response = Message::new();
        response.build(&[
            Box::new(request.transaction_id),
            Box::new(BINDING_SUCCESS),
            Box::new(XorMappedAddress {
                ip: from.ip(),
                port: from.port(),
            }),
        ])?;
        server.send_to(&response.raw, from).await?;
        Ok::<SocketAddr, Error>(from)
    });
    let conn: Arc<dyn Conn + Send + Sync> =
        Arc::new(tokio::net::UdpSocket::bind("127.0.0.1:0").await?);
    let started = tokio::time::Instant::now();
    let mapped = get_xormapped_addr(&conn, server_addr, Duration::from_secs(3)).await?;
    let from = requests
        .await
        .map_err(|e| Error::Other(e.to_string()))??;
    assert_eq!((mapped.ip, mapped.port), (from.ip(), from.port()));
    let took = started.elapsed();
    assert!(
        took >= STUN_RTO && took < 2 * STUN_RTO,
        "answered after the first retransmission, not {took:?}"
    );
    Ok(())
}
