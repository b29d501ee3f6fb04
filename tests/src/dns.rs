//! A small authoritative DNS server on 127.0.0.1 for tests: it answers A,
//! MX, TXT and CNAME queries from a fixed table over UDP, and NXDOMAIN for
//! names it does not know, so sources can be pointed at it with
//! `dns_server = "127.0.0.1:PORT"`.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, CNAME, MX, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};

/// Records by (lower-case name without the final dot, type).
#[derive(Default, Clone)]
pub struct Zone {
    records: HashMap<(String, RecordType), Vec<RData>>,
}

impl Zone {
    pub fn new() -> Zone {
        Zone::default()
    }

    fn add(mut self, name: &str, kind: RecordType, data: RData) -> Zone {
        self.records
            .entry((name.trim_end_matches('.').to_lowercase(), kind))
            .or_default()
            .push(data);
        self
    }

    pub fn a(self, name: &str, ip: Ipv4Addr) -> Zone {
        self.add(name, RecordType::A, RData::A(A(ip)))
    }

    pub fn mx(self, name: &str, preference: u16, exchange: &str) -> Zone {
        let exchange = Name::from_str(exchange).expect("MX exchange is a name");
        self.add(
            name,
            RecordType::MX,
            RData::MX(MX::new(preference, exchange)),
        )
    }

    pub fn txt(self, name: &str, text: &str) -> Zone {
        self.add(
            name,
            RecordType::TXT,
            RData::TXT(TXT::new(vec![text.to_string()])),
        )
    }

    pub fn cname(self, name: &str, target: &str) -> Zone {
        let target = Name::from_str(target).expect("CNAME target is a name");
        self.add(name, RecordType::CNAME, RData::CNAME(CNAME(target)))
    }

    fn knows(&self, name: &str) -> bool {
        self.records.keys().any(|(n, _)| n == name)
    }
}

/// A running server; it stops with the test process.
pub struct DnsServer {
    pub addr: SocketAddr,
    queries: Arc<AtomicUsize>,
}

impl DnsServer {
    pub fn start(zone: Zone) -> DnsServer {
        let socket =
            UdpSocket::bind("127.0.0.1:0").expect("bind a UDP port for the test DNS server");
        let addr = socket.local_addr().expect("local address");
        let queries = Arc::new(AtomicUsize::new(0));
        let counter = queries.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                let Ok((n, peer)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                counter.fetch_add(1, Ordering::Relaxed);
                if let Some(reply) = answer(&zone, &buf[..n]) {
                    let _ = socket.send_to(&reply, peer);
                }
            }
        });
        DnsServer { addr, queries }
    }

    /// `"127.0.0.1:PORT"`, for a source's `dns_server` setting.
    pub fn setting(&self) -> String {
        self.addr.to_string()
    }

    pub fn queries(&self) -> usize {
        self.queries.load(Ordering::Relaxed)
    }
}

fn answer(zone: &Zone, packet: &[u8]) -> Option<Vec<u8>> {
    let request = Message::from_vec(packet).ok()?;
    let mut reply = Message::new();
    reply
        .set_id(request.id())
        .set_message_type(MessageType::Response)
        .set_op_code(request.op_code())
        .set_recursion_desired(request.recursion_desired())
        .set_recursion_available(true)
        .set_authoritative(true);
    for q in request.queries() {
        reply.add_query(q.clone());
        let name = q.name().to_ascii().trim_end_matches('.').to_lowercase();
        match zone.records.get(&(name.clone(), q.query_type())) {
            Some(datas) => {
                for d in datas {
                    reply.add_answer(Record::from_rdata(q.name().clone(), 60, d.clone()));
                }
            }
            None if !zone.knows(&name) => {
                reply.set_response_code(ResponseCode::NXDomain);
            }
            None => {}
        }
    }
    reply.to_vec().ok()
}
