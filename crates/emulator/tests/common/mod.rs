//! A deliberately plain HTTP/1.1 client over `TcpStream`, so the emulator is
//! tested against raw bytes and not through any client crate of ours.

#![allow(dead_code)] // Each test binary uses a different part.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use base64::Engine as _;

/// One parsed response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("UTF-8 body")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

/// One keep-alive connection.
pub struct Conn {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    pub fn open(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        Conn {
            stream,
            buf: Vec::new(),
        }
    }

    /// Sends raw bytes and reads one response.
    pub fn raw(&mut self, request: &[u8]) -> io::Result<Resp> {
        self.stream.write_all(request)?;
        self.read_response()
    }

    /// Sends a request made of a request line, header lines and a body
    /// (Content-Length added when there is a body).
    pub fn send(&mut self, line: &str, headers: &[(&str, &str)], body: &[u8]) -> io::Result<Resp> {
        let mut req = format!("{line} HTTP/1.1\r\nHost: emulator.test\r\n");
        for (name, value) in headers {
            req.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() {
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        self.raw(&bytes)
    }

    /// Reads one response framed by Content-Length. A body shorter than
    /// announced is an `UnexpectedEof` error.
    pub fn read_response(&mut self) -> io::Result<Resp> {
        let head_end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            self.fill()?;
        };
        let head = String::from_utf8(self.buf[..head_end].to_vec()).expect("UTF-8 head");
        let mut lines = head.split("\r\n");
        let status_line = lines.next().expect("status line");
        assert!(status_line.starts_with("HTTP/1.1 "), "{status_line}");
        let status = status_line[9..12].parse().expect("status");
        let headers: Vec<(String, String)> = lines
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (n, v) = l.split_once(':').expect("header line");
                (n.to_owned(), v.trim().to_owned())
            })
            .collect();
        let len: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .expect("every response has Content-Length")
            .1
            .parse()
            .expect("numeric Content-Length");
        while self.buf.len() < head_end + len {
            self.fill()?;
        }
        let body = self.buf[head_end..head_end + len].to_vec();
        self.buf.drain(..head_end + len);
        Ok(Resp {
            status,
            headers,
            body,
        })
    }

    fn fill(&mut self) -> io::Result<()> {
        let mut chunk = [0u8; 4096];
        let n = self.stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    /// Whether the server closed the connection (EOF within 2 s).
    pub fn is_closed(&mut self) -> bool {
        self.stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .expect("timeout");
        let mut byte = [0u8; 1];
        matches!(self.stream.read(&mut byte), Ok(0))
    }
}

pub const JUMIO_PATHS: [(&str, &str); 3] = [
    ("scan", "/api/netverify/v2/scans/"),
    ("authentication", "/api/netverify/v2/authentications/"),
    ("document", "/api/netverify/v2/documents/"),
];

pub fn basic(token: &str, secret: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{token}:{secret}"));
    format!("Basic {encoded}")
}

/// A Jumio delete with every header right.
pub fn jumio_delete(conn: &mut Conn, path: &str) -> io::Result<Resp> {
    let auth = basic("emulator-token", "emulator-secret");
    conn.send(
        &format!("DELETE {path}"),
        &[
            ("User-Agent", "Acme KYC-Cleaner/1.0"),
            ("Accept", "application/json"),
            ("Authorization", &auth),
        ],
        b"",
    )
}

pub const HV_PATH: &str = "/api/v2/transaction/id";

/// A HyperVerge delete with the right headers and this body.
pub fn hyperverge_delete(conn: &mut Conn, body: &str) -> io::Result<Resp> {
    conn.send(
        &format!("DELETE {HV_PATH}"),
        &[
            ("appid", "emulator-app-id"),
            ("appkey", "emulator-app-key"),
            ("content-type", "application/json"),
        ],
        body.as_bytes(),
    )
}

/// The HyperVerge body for one id.
pub fn hv_body(id: &str) -> String {
    serde_json::json!({ "transactionId": id }).to_string()
}
