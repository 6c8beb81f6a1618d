//! Listening sockets for a lab's replicas: one block of consecutive ports on 127.0.0.1.

use std::net::{Ipv4Addr, TcpListener};

use crate::error::LabError;

/// An ephemeral first port can have a taken neighbour: pick again this many times.
const ATTEMPTS: usize = 8;

/// `count` listeners on `first..first+count`; `first == 0` picks an ephemeral block.
pub(crate) fn bind_block(first: u16, count: u16) -> Result<Vec<TcpListener>, LabError> {
    if first != 0 {
        return bind_from(first, count);
    }
    for _ in 0..ATTEMPTS {
        let anchor = bind(0)?;
        let port = local_port(&anchor, 0)?;
        if count == 1 {
            return Ok(vec![anchor]);
        }
        if u32::from(port) + u32::from(count) - 1 > u32::from(u16::MAX) {
            continue;
        }
        let mut block = vec![anchor];
        let mut complete = true;
        for next in port + 1..=port + (count - 1) {
            match bind(next) {
                Ok(listener) => block.push(listener),
                Err(LabError::PortInUse { .. }) => {
                    complete = false;
                    break;
                }
                Err(other) => return Err(other),
            }
        }
        if complete {
            return Ok(block);
        }
    }
    Err(LabError::NoPortBlock { replicas: count })
}

fn bind_from(first: u16, count: u16) -> Result<Vec<TcpListener>, LabError> {
    let last = first
        .checked_add(count.saturating_sub(1))
        .ok_or(LabError::PortRange {
            first,
            replicas: count,
        })?;
    (first..=last).map(bind).collect()
}

fn bind(port: u16) -> Result<TcpListener, LabError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            LabError::PortInUse { port }
        } else {
            LabError::Listen { port, source }
        }
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|source| LabError::Listen { port, source })?;
    Ok(listener)
}

pub(crate) fn local_port(listener: &TcpListener, requested: u16) -> Result<u16, LabError> {
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|source| LabError::Listen {
            port: requested,
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ephemeral_blocks_are_consecutive() {
        let block = bind_block(0, 3).unwrap();
        let ports: Vec<u16> = block.iter().map(|l| local_port(l, 0).unwrap()).collect();
        assert_eq!(ports[1], ports[0] + 1);
        assert_eq!(ports[2], ports[0] + 2);
        let err = bind_block(ports[1], 2).unwrap_err();
        assert!(matches!(err, LabError::PortInUse { port } if port == ports[1]));
    }
}
