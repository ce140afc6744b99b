// Helpers of the C++ test suite: the hub emulator process (the same binary and ready-file handshake as
// tests/c), a tiny loopback HTTP/1.1 client for its control API, a small JSON reader for the request
// log, temporary directories, file and SHA-256 utilities, and the HubTest fixture.
#ifndef HF_HUB_CPP_TEST_UTIL_HPP
#define HF_HUB_CPP_TEST_UTIL_HPP

#include "hf_hub.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#ifndef HF_TEST_EMULATOR
#define HF_TEST_EMULATOR "hub-emulator"
#endif

namespace hft {

namespace fs = std::filesystem;

inline const std::string kDemoToken = "hf_localtesttoken0123456789";
inline const std::string kDemoUser = "tester";
inline const std::string kDemoOrg = "test-org";
inline const std::string kDemoModel = "test-org/test-model";
inline const std::string kOutsiderToken = "hf_outsidertoken0123456789abcd";
inline const std::string kSecondToken = "hf_secondtoken0123456789abcdef";
inline constexpr uint64_t kMiB = 1024 * 1024;

// ---- files ----------------------------------------------------------------------------------------

inline std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A fresh directory under $TMPDIR, removed (recursively) by the destructor.
class TempDir {
  public:
    explicit TempDir(const std::string& tag) {
        const char* tmp = std::getenv("TMPDIR");
        std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/hfhub-cpp-" + tag + "-XXXXXX";
        std::vector<char> buf(templ.begin(), templ.end());
        buf.push_back('\0');
        if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
        path_ = buf.data();
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }
    std::string str() const { return path_.string(); }

  private:
    fs::path path_;
};

// Entries of a directory whose name does not end with `ignore_suffix` (empty: count all); -1 if absent.
inline int count_entries(const fs::path& dir, const std::string& ignore_suffix = {}) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return -1;
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (!ignore_suffix.empty() && name.size() >= ignore_suffix.size() &&
            name.compare(name.size() - ignore_suffix.size(), ignore_suffix.size(), ignore_suffix) == 0)
            continue;
        n++;
    }
    return n;
}

inline bool is_hex(const std::string& s, size_t len) {
    if (s.size() != len) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// ---- SHA-256 (for checking LFS blobs against their names) ------------------------------------------

inline std::string sha256_hex(const std::string& data) {
    static const uint32_t K[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    auto ror = [](uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
    std::string msg = data;
    const uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
    msg.push_back(static_cast<char>(0x80));
    while (msg.size() % 64 != 56) msg.push_back('\0');
    for (int i = 7; i >= 0; i--) msg.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
    for (size_t off = 0; off < msg.size(); off += 64) {
        uint32_t w[64];
        for (int i = 0; i < 16; i++) {
            const auto* b = reinterpret_cast<const unsigned char*>(msg.data() + off + 4 * i);
            w[i] = uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | uint32_t(b[3]);
        }
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t v[8];
        std::memcpy(v, h, sizeof v);
        for (int i = 0; i < 64; i++) {
            uint32_t S1 = ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25);
            uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
            uint32_t t1 = v[7] + S1 + ch + K[i] + w[i];
            uint32_t S0 = ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22);
            uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            std::memmove(v + 1, v, 7 * sizeof(uint32_t));
            v[4] += t1;
            v[0] = t1 + S0 + maj;
        }
        for (int i = 0; i < 8; i++) h[i] += v[i];
    }
    char out[65];
    for (int i = 0; i < 8; i++) std::snprintf(out + 8 * i, 9, "%08x", h[i]);
    return std::string(out, 64);
}

// ---- JSON (enough for the emulator's request log) ------------------------------------------------

struct Json {
    enum class Kind { Null, Bool, Number, String, Array, Object } kind = Kind::Null;
    bool boolean = false;
    double number = 0;
    std::string string;
    std::vector<Json> items;       // Array elements, or Object values
    std::vector<std::string> keys; // Object keys (parallel to items)

    const Json* get(const std::string& key) const {
        for (size_t i = 0; i < keys.size(); i++)
            if (keys[i] == key) return &items[i];
        return nullptr;
    }
    std::string str(const std::string& key) const {
        const Json* v = get(key);
        return v && v->kind == Kind::String ? v->string : std::string();
    }

    static Json parse(const std::string& text) {
        size_t pos = 0;
        Json v = parse_value(text, pos);
        skip_ws(text, pos);
        if (pos != text.size()) throw std::runtime_error("trailing JSON text");
        return v;
    }

  private:
    static void skip_ws(const std::string& t, size_t& p) {
        while (p < t.size() && (t[p] == ' ' || t[p] == '\n' || t[p] == '\r' || t[p] == '\t')) p++;
    }
    static void expect(const std::string& t, size_t& p, char c) {
        skip_ws(t, p);
        if (p >= t.size() || t[p] != c) throw std::runtime_error(std::string("JSON: expected ") + c);
        p++;
    }
    static std::string parse_string(const std::string& t, size_t& p) {
        expect(t, p, '"');
        std::string out;
        while (p < t.size() && t[p] != '"') {
            char c = t[p++];
            if (c != '\\') {
                out.push_back(c);
                continue;
            }
            if (p >= t.size()) break;
            char e = t[p++];
            switch (e) {
            case 'n': out.push_back('\n'); break;
            case 't': out.push_back('\t'); break;
            case 'r': out.push_back('\r'); break;
            case 'b': out.push_back('\b'); break;
            case 'f': out.push_back('\f'); break;
            case 'u': {
                unsigned cp = static_cast<unsigned>(std::stoul(t.substr(p, 4), nullptr, 16));
                p += 4;
                if (cp < 0x80) {
                    out.push_back(static_cast<char>(cp));
                } else if (cp < 0x800) {
                    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
                    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
                } else {
                    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
                    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
                    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
                }
                break;
            }
            default: out.push_back(e);
            }
        }
        expect(t, p, '"');
        return out;
    }
    static Json parse_value(const std::string& t, size_t& p) {
        skip_ws(t, p);
        if (p >= t.size()) throw std::runtime_error("JSON: unexpected end");
        Json v;
        char c = t[p];
        if (c == '{') {
            v.kind = Kind::Object;
            p++;
            skip_ws(t, p);
            if (p < t.size() && t[p] == '}') return p++, v;
            for (;;) {
                v.keys.push_back(parse_string(t, p));
                expect(t, p, ':');
                v.items.push_back(parse_value(t, p));
                skip_ws(t, p);
                if (p < t.size() && t[p] == ',') {
                    p++;
                    continue;
                }
                expect(t, p, '}');
                return v;
            }
        }
        if (c == '[') {
            v.kind = Kind::Array;
            p++;
            skip_ws(t, p);
            if (p < t.size() && t[p] == ']') return p++, v;
            for (;;) {
                v.items.push_back(parse_value(t, p));
                skip_ws(t, p);
                if (p < t.size() && t[p] == ',') {
                    p++;
                    continue;
                }
                expect(t, p, ']');
                return v;
            }
        }
        if (c == '"') {
            v.kind = Kind::String;
            v.string = parse_string(t, p);
            return v;
        }
        if (t.compare(p, 4, "null") == 0) return p += 4, v;
        if (t.compare(p, 4, "true") == 0) {
            v.kind = Kind::Bool;
            v.boolean = true;
            p += 4;
            return v;
        }
        if (t.compare(p, 5, "false") == 0) {
            v.kind = Kind::Bool;
            p += 5;
            return v;
        }
        size_t end = p;
        while (end < t.size() && std::strchr("+-0123456789.eE", t[end])) end++;
        if (end == p) throw std::runtime_error("JSON: bad value");
        v.kind = Kind::Number;
        v.number = std::stod(t.substr(p, end - p));
        p = end;
        return v;
    }
};

// ---- HTTP/1.1 over loopback (Connection: close) ---------------------------------------------------

struct HttpResponse {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers; // names lower-cased
    std::string body;
    std::string header(const std::string& name) const {
        for (const auto& h : headers)
            if (h.first == name) return h.second;
        return {};
    }
};

inline HttpResponse http(const std::string& method, const std::string& url, const std::string& body = {},
                         const std::string& content_type = {}) {
    // url: http://127.0.0.1:PORT/path
    const std::string scheme = "http://";
    if (url.compare(0, scheme.size(), scheme) != 0) throw std::runtime_error("not an http URL: " + url);
    size_t host_start = scheme.size();
    size_t path_start = url.find('/', host_start);
    std::string hostport = url.substr(host_start, path_start == std::string::npos ? std::string::npos
                                                                                   : path_start - host_start);
    std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
    size_t colon = hostport.rfind(':');
    std::string host = hostport.substr(0, colon);
    int port = colon == std::string::npos ? 80 : std::stoi(hostport.substr(colon + 1));

    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) throw std::runtime_error("bad host " + host);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::runtime_error("connect " + url + ": " + std::strerror(errno));

    std::string req = method + " " + path + " HTTP/1.1\r\nHost: " + hostport + "\r\nConnection: close\r\n";
    if (!content_type.empty()) req += "Content-Type: " + content_type + "\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    for (size_t off = 0; off < req.size();) {
        ssize_t n = ::send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
        if (n <= 0) throw std::runtime_error("send failed");
        off += static_cast<size_t>(n);
    }
    std::string raw;
    char buf[65536];
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        raw.append(buf, static_cast<size_t>(n));
    }
    size_t head_end = raw.find("\r\n\r\n");
    if (head_end == std::string::npos) throw std::runtime_error("bad HTTP response from " + url);
    HttpResponse r;
    std::istringstream head(raw.substr(0, head_end));
    std::string line;
    std::getline(head, line);
    if (line.size() < 12) throw std::runtime_error("bad status line: " + line);
    r.status = std::stoi(line.substr(9, 3));
    while (std::getline(head, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        size_t c = line.find(':');
        if (c == std::string::npos) continue;
        std::string name = line.substr(0, c);
        for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        std::string value = line.substr(c + 1);
        value.erase(0, value.find_first_not_of(' '));
        r.headers.emplace_back(name, value);
    }
    std::string payload = raw.substr(head_end + 4);
    if (r.header("transfer-encoding") == "chunked") {
        std::string out;
        size_t p = 0;
        for (;;) {
            size_t eol = payload.find("\r\n", p);
            if (eol == std::string::npos) break;
            size_t len = std::stoul(payload.substr(p, eol - p), nullptr, 16);
            if (len == 0) break;
            out += payload.substr(eol + 2, len);
            p = eol + 2 + len + 2;
        }
        payload = out;
    }
    r.body = std::move(payload);
    return r;
}

// ---- the hub emulator -----------------------------------------------------------------------------

struct Request {
    std::string origin; // "hub" or "cdn"
    std::string method;
    std::string path;
    std::string query;
    std::vector<std::pair<std::string, std::string>> headers;
    int status = 0;
    bool has_header(const std::string& name) const {
        for (const auto& h : headers)
            if (strcasecmp(h.first.c_str(), name.c_str()) == 0) return true;
        return false;
    }
    // The first value of a header, "" when absent.
    std::string header(const std::string& name) const {
        for (const auto& h : headers)
            if (strcasecmp(h.first.c_str(), name.c_str()) == 0) return h.second;
        return "";
    }
};

// `hub-emulator --demo --ready-file PATH [extra args]`: the binary is $HF_HUB_EMULATOR or the
// compile-time HF_TEST_EMULATOR. Killed (and reaped) by the destructor; PR_SET_PDEATHSIG kills it if
// the test process dies first.
class Emulator {
  public:
    explicit Emulator(const std::vector<std::string>& extra_args = {}) : dir_("emu") {
        const char* env = std::getenv("HF_HUB_EMULATOR");
        const std::string bin = env && *env ? env : HF_TEST_EMULATOR;
        const std::string ready = (dir_.path() / "ready.json").string();
        std::vector<std::string> args = {bin, "--demo", "--ready-file", ready};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        const bool verbose = std::getenv("HF_TEST_EMULATOR_VERBOSE") != nullptr;

        std::fflush(nullptr);
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) { // only async-signal-safe calls until exec
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            int devnull = ::open("/dev/null", O_WRONLY);
            if (devnull >= 0) {
                ::dup2(devnull, STDOUT_FILENO);
                if (!verbose) ::dup2(devnull, STDERR_FILENO);
                ::close(devnull);
            }
            ::execv(bin.c_str(), argv.data());
            ::_exit(127);
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        for (;;) {
            std::string text;
            try {
                text = read_file(ready);
            } catch (const std::exception&) {
            }
            if (text.find('}') != std::string::npos) {
                Json j = Json::parse(text);
                hub_ = j.str("hub");
                cdn_ = j.str("cdn");
                if (hub_.empty() || cdn_.empty()) throw std::runtime_error("bad ready file: " + text);
                break;
            }
            int wstatus = 0;
            if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("hub emulator " + bin + " exited before becoming ready");
            }
            if (std::chrono::steady_clock::now() > deadline) {
                stop();
                throw std::runtime_error("hub emulator " + bin + " did not become ready");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    ~Emulator() { stop(); }
    Emulator(const Emulator&) = delete;
    Emulator& operator=(const Emulator&) = delete;

    const std::string& hub() const { return hub_; }
    const std::string& cdn() const { return cdn_; }

    void stop() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
            pid_ = -1;
        }
    }

    // GET /_emulator/requests
    std::vector<Request> requests() const {
        HttpResponse r = http("GET", hub_ + "/_emulator/requests");
        if (r.status != 200) throw std::runtime_error("GET /_emulator/requests -> " + std::to_string(r.status));
        Json log = Json::parse(r.body);
        std::vector<Request> out;
        for (const Json& e : log.items) {
            Request q;
            q.origin = e.str("origin");
            q.method = e.str("method");
            q.path = e.str("path");
            q.query = e.str("query");
            if (const Json* s = e.get("status")) q.status = static_cast<int>(s->number);
            if (const Json* hs = e.get("headers"))
                for (const Json& h : hs->items)
                    if (h.items.size() == 2) q.headers.emplace_back(h.items[0].string, h.items[1].string);
            out.push_back(std::move(q));
        }
        return out;
    }

    // Requests matching origin/method (empty: any) whose path contains `path_sub`.
    size_t count(const std::string& origin, const std::string& method, const std::string& path_sub) const {
        size_t n = 0;
        for (const Request& q : requests())
            n += (origin.empty() || strcasecmp(q.origin.c_str(), origin.c_str()) == 0) &&
                 (method.empty() || q.method == method) && q.path.find(path_sub) != std::string::npos;
        return n;
    }

    void clear_requests() const {
        HttpResponse r = http("DELETE", hub_ + "/_emulator/requests");
        if (r.status < 200 || r.status >= 300) throw std::runtime_error("DELETE /_emulator/requests failed");
    }

    // POST /_emulator/faults; returns the HTTP status.
    int add_fault(const std::string& json) const {
        return http("POST", hub_ + "/_emulator/faults", json, "application/json").status;
    }

    // POST /_emulator/<what> (commit, branch, tag, pr, ...) with a JSON body; the parsed answer.
    // Throws unless the emulator answers 2xx.
    Json control(const std::string& what, const std::string& json) const {
        HttpResponse r = http("POST", hub_ + "/_emulator/" + what, json, "application/json");
        if (r.status < 200 || r.status >= 300)
            throw std::runtime_error("POST /_emulator/" + what + " -> " + std::to_string(r.status) + ": " + r.body);
        return Json::parse(r.body);
    }

    // The commit `rev` of a model repo resolves to on the emulator (empty when it does not).
    std::string resolve(const std::string& repo_id, const std::string& rev = "main") const {
        HttpResponse r = http("GET", hub_ + "/_emulator/resolve?id=" + repo_id + "&rev=" + rev);
        if (r.status != 200) throw std::runtime_error("GET /_emulator/resolve -> " + std::to_string(r.status));
        return Json::parse(r.body).str("commit");
    }

  private:
    TempDir dir_;
    pid_t pid_ = -1;
    std::string hub_, cdn_;
};

// ---- the fixture ------------------------------------------------------------------------------------

// One emulator (with the extra users "outsider" and "second") and one fresh HF_HOME per test.
class HubTest : public ::testing::Test {
  protected:
    void SetUp() override {
        emu_ = std::make_unique<Emulator>(std::vector<std::string>{
            "--user", kOutsiderToken + ":outsider", "--user", kSecondToken + ":second"});
        home_ = std::make_unique<TempDir>("home");
    }
    void TearDown() override {
        emu_.reset();
        home_.reset();
    }

    // Options isolated from the environment: the emulator, this test's HF_HOME, a token.
    hf::ClientOptions options(std::optional<std::string> token = kDemoToken) const {
        hf::ClientOptions o;
        o.ignore_env = true;
        o.endpoint = emu_->hub();
        o.hf_home = home_->str();
        o.token = std::move(token);
        return o;
    }
    hf::Client client(std::optional<std::string> token = kDemoToken) const { return hf::Client(options(token)); }

    const Emulator& emu() const { return *emu_; }
    fs::path home() const { return home_->path(); }
    fs::path repo_dir(const std::string& folder = "models--test-org--test-model") const {
        return home() / "hub" / folder;
    }

    std::unique_ptr<Emulator> emu_;
    std::unique_ptr<TempDir> home_;
};

// Runs `fn`, expects it to throw hf::Error with `status`, and returns the error.
template <typename Fn> hf::Error expect_error(hf_status status, Fn&& fn) {
    try {
        fn();
    } catch (const hf::Error& e) {
        EXPECT_EQ(e.status(), status) << "message: " << e.what() << " (" << e.status_str() << ")";
        return e;
    }
    ADD_FAILURE() << "no hf::Error thrown, expected " << hf::status_str(status);
    return hf::Error(HF_OK, "no error");
}

} // namespace hft

#endif
