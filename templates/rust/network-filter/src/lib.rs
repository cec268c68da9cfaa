//! {{name}}: a network (TCP) filter that counts the bytes of each connection in both directions
//! into two counters ({{root_id}}.downstream_bytes, {{root_id}}.upstream_bytes), counts
//! connections ({{root_id}}.connections) and logs a summary when the connection closes.
//! Configuration (optional): {"log_prefix": "tcp"}.
use log::{error, info};
use proxy_wasm::hostcalls;
use proxy_wasm::traits::{Context, RootContext, StreamContext};
use proxy_wasm::types::{Action, ContextType, LogLevel, MetricType, PeerType};
use std::rc::Rc;

const ROOT_ID: &str = "{{root_id}}";

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Info);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> {
        Box::new(ByteCountRoot { metrics: None, prefix: Rc::new("{{name}}".into()) })
    });
}}

/// The ids the host gave the three counters (defined once, in on_configure).
#[derive(Clone, Copy)]
struct Metrics {
    downstream_bytes: u32,
    upstream_bytes: u32,
    connections: u32,
}

struct ByteCountRoot {
    metrics: Option<Metrics>,
    prefix: Rc<String>,
}

impl Context for ByteCountRoot {}

impl RootContext for ByteCountRoot {
    fn on_configure(&mut self, _plugin_configuration_size: usize) -> bool {
        if let Some(config) = self.get_plugin_configuration() {
            let text = String::from_utf8_lossy(&config).into_owned();
            if !text.trim_start().starts_with('{') {
                error!("invalid configuration: expected a JSON object, got '{}'", text);
                return false;
            }
            if let Some(p) = json_string(&text, "log_prefix") {
                self.prefix = Rc::new(p);
            }
        }
        let define = |suffix: &str| {
            hostcalls::define_metric(MetricType::Counter, &format!("{}.{}", ROOT_ID, suffix))
        };
        match (define("downstream_bytes"), define("upstream_bytes"), define("connections")) {
            (Ok(d), Ok(u), Ok(c)) => {
                self.metrics = Some(Metrics { downstream_bytes: d, upstream_bytes: u, connections: c });
            }
            _ => {
                error!("could not define the counters");
                return false;
            }
        }
        info!(
            "{{name}} configured: counting bytes as {0}.downstream_bytes and {0}.upstream_bytes",
            ROOT_ID
        );
        true
    }

    fn create_stream_context(&self, context_id: u32) -> Option<Box<dyn StreamContext>> {
        Some(Box::new(ByteCount {
            id: context_id,
            metrics: self.metrics?,
            prefix: self.prefix.clone(),
            downstream: 0,
            upstream: 0,
            logged: false,
        }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::StreamContext)
    }
}

struct ByteCount {
    id: u32,
    metrics: Metrics,
    prefix: Rc<String>,
    downstream: u64,
    upstream: u64,
    logged: bool,
}

impl ByteCount {
    fn log_once(&mut self) {
        if self.logged {
            return;
        }
        self.logged = true;
        info!(
            "{}: connection {} closed: {} bytes from downstream, {} bytes from upstream",
            self.prefix, self.id, self.downstream, self.upstream
        );
    }
}

impl Context for ByteCount {}

impl StreamContext for ByteCount {
    fn on_new_connection(&mut self) -> Action {
        hostcalls::increment_metric(self.metrics.connections, 1).ok();
        Action::Continue
    }

    fn on_downstream_data(&mut self, data_size: usize, _end_of_stream: bool) -> Action {
        self.downstream += data_size as u64;
        hostcalls::increment_metric(self.metrics.downstream_bytes, data_size as i64).ok();
        Action::Continue
    }

    fn on_upstream_data(&mut self, data_size: usize, _end_of_stream: bool) -> Action {
        self.upstream += data_size as u64;
        hostcalls::increment_metric(self.metrics.upstream_bytes, data_size as i64).ok();
        Action::Continue
    }

    fn on_downstream_close(&mut self, _peer_type: PeerType) {
        self.log_once();
    }

    fn on_upstream_close(&mut self, _peer_type: PeerType) {
        self.log_once();
    }
}

/// The string member `key` of a flat JSON object (no serde: keeps the module small and the
/// crate buildable offline with only proxy-wasm and log).
fn json_string(text: &str, key: &str) -> Option<String> {
    let needle = format!("\"{}\"", key);
    let mut rest = &text[text.find(&needle)? + needle.len()..];
    rest = rest.trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}
