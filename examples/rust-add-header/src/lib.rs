//! rust-add-header: an HTTP filter that adds a response header whose name and value come from the
//! plugin configuration, e.g. {"header": "x-ext", "value": "hello"}.
use log::{error, info};
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Info);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> {
        Box::new(AddHeaderRoot { header: "x-ext".into(), value: "hello".into() })
    });
}}

struct AddHeaderRoot {
    header: String,
    value: String,
}

impl Context for AddHeaderRoot {}

impl RootContext for AddHeaderRoot {
    fn on_configure(&mut self, _plugin_configuration_size: usize) -> bool {
        if let Some(config) = self.get_plugin_configuration() {
            let text = String::from_utf8_lossy(&config).into_owned();
            if !text.trim_start().starts_with('{') {
                error!("invalid configuration: expected a JSON object, got '{}'", text);
                return false;
            }
            if let Some(h) = json_string(&text, "header") {
                self.header = h;
            }
            if let Some(v) = json_string(&text, "value") {
                self.value = v;
            }
        }
        info!("rust-add-header configured: adding {}: {}", self.header, self.value);
        true
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(AddHeader { header: self.header.clone(), value: self.value.clone() }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

struct AddHeader {
    header: String,
    value: String,
}

impl Context for AddHeader {}

impl HttpContext for AddHeader {
    fn on_http_response_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        self.add_http_response_header(&self.header, &self.value);
        Action::Continue
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
