// {{name}}: an HTTP filter that adds a response header whose name and value come from the plugin
// configuration, e.g. {"header": "x-ext", "value": "hello"}.
export * from "@solo-io/proxy-runtime/proxy"; // the proxy_on_* exports the host calls
import {
  RootContext, Context, registerRootContext, FilterHeadersStatusValues, stream_context, log,
  LogLevelValues
} from "@solo-io/proxy-runtime";

class AddHeaderRoot extends RootContext {
  header: string = "x-ext";
  value: string = "hello";

  onConfigure(configuration_size: u32): bool {
    if (configuration_size > 0) {
      super.onConfigure(configuration_size);
      const text = this.getConfiguration().trim();
      if (!text.startsWith("{")) {
        log(LogLevelValues.error, "invalid configuration: expected a JSON object, got '" + text + "'");
        return false;
      }
      const h = jsonString(text, "header");
      if (h !== null) this.header = h;
      const v = jsonString(text, "value");
      if (v !== null) this.value = v;
    }
    log(LogLevelValues.info, "{{name}} configured: adding " + this.header + ": " + this.value);
    return true;
  }

  createContext(context_id: u32): Context {
    return new AddHeader(context_id, this);
  }
}

class AddHeader extends Context {
  root: AddHeaderRoot;
  constructor(context_id: u32, root_context: AddHeaderRoot) {
    super(context_id, root_context);
    this.root = root_context;
  }
  onResponseHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    stream_context.headers.response.add(this.root.header, this.root.value);
    return FilterHeadersStatusValues.Continue;
  }
}

// The string member `key` of a flat JSON object, or null (no JSON library: keeps the module
// small). Handles the escapes \" \\ \/ \n \t \r and \uXXXX.
function jsonString(text: string, key: string): string | null {
  const needle = "\"" + key + "\"";
  let i = text.indexOf(needle);
  if (i < 0) return null;
  i += needle.length;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  if (i >= text.length || text.charAt(i) != ":") return null;
  i++;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  if (i >= text.length || text.charAt(i) != "\"") return null;
  i++;
  let out = "";
  while (i < text.length) {
    const c = text.charAt(i);
    if (c == "\"") return out;
    if (c == "\\") {
      i++;
      if (i >= text.length) return null;
      const e = text.charAt(i);
      if (e == "n") out += "\n";
      else if (e == "t") out += "\t";
      else if (e == "r") out += "\r";
      else if (e == "u") {
        if (i + 4 >= text.length) return null;
        out += String.fromCharCode(I32.parseInt(text.substr(i + 1, 4), 16));
        i += 4;
      } else out += e;
    } else {
      out += c;
    }
    i++;
  }
  return null;
}

function isSpace(c: i32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d;
}

registerRootContext((context_id: u32) => { return new AddHeaderRoot(context_id); }, "{{root_id}}");
