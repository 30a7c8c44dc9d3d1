//! Percentiles and this process's CPU time and memory, read from /proc.

/// Nearest-rank percentile of already sorted samples (`p` in 0..=100).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn sorted(mut samples: Vec<f64>) -> Vec<f64> {
    samples.sort_by(|a, b| a.total_cmp(b));
    samples
}

pub fn median(samples: &[f64]) -> f64 {
    let s = sorted(samples.to_vec());
    match s.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

/// Clock ticks per second of /proc/self/stat (USER_HZ, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// User + system CPU time of the whole process so far, in seconds (10 ms steps).
pub fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the parenthesised command name start at field 3 (state).
    let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
        return f64::NAN;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| -> f64 {
        fields
            .get(n - 3)
            .and_then(|f| f.parse().ok())
            .unwrap_or(f64::NAN)
    };
    (field(14) + field(15)) / TICKS_PER_SECOND
}

/// A `Key:  value` line of /proc/self/status as a number (kB for memory).
pub fn status_value(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        if k != key {
            return None;
        }
        v.split_whitespace().next()?.parse().ok()
    })
}

/// UDP datagrams this machine dropped because a socket's receive buffer was
/// full (IPv4 + IPv6, all processes): loss that SCTP repairs, at worst after
/// its 1 s minimum retransmission timeout.
pub fn udp_rcvbuf_errors() -> u64 {
    let mut total = 0;
    if let Ok(snmp) = std::fs::read_to_string("/proc/net/snmp") {
        let udp: Vec<&str> = snmp.lines().filter(|l| l.starts_with("Udp:")).collect();
        if let [names, values] = udp[..] {
            let column = names.split_whitespace().position(|n| n == "RcvbufErrors");
            if let Some(v) = column.and_then(|i| values.split_whitespace().nth(i)) {
                total += v.parse::<u64>().unwrap_or(0);
            }
        }
    }
    if let Ok(snmp6) = std::fs::read_to_string("/proc/net/snmp6") {
        for line in snmp6.lines() {
            if let Some(v) = line.strip_prefix("Udp6RcvbufErrors") {
                total += v.trim().parse::<u64>().unwrap_or(0);
            }
        }
    }
    total
}

/// Rounds for display and JSON (keeps three significant decimals for small values).
pub fn round(value: f64) -> f64 {
    if !value.is_finite() {
        return value;
    }
    let digits = if value.abs() >= 100.0 {
        1
    } else if value.abs() >= 1.0 {
        2
    } else {
        4
    };
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let s = sorted((1..=100).map(f64::from).collect());
        assert_eq!(percentile(&s, 50.0), 50.0);
        assert_eq!(percentile(&s, 99.0), 99.0);
        assert_eq!(percentile(&s, 100.0), 100.0);
        assert_eq!(percentile(&[7.0], 90.0), 7.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn proc_values_are_readable() {
        assert!(cpu_seconds() >= 0.0);
        assert!(status_value("VmHWM").unwrap_or(0) > 0);
        assert!(status_value("Threads").unwrap_or(0) >= 1);
        let drops = udp_rcvbuf_errors();
        assert!(udp_rcvbuf_errors() >= drops);
    }
}
