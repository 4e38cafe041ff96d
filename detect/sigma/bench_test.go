package sigma

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"flowsift/extract/table"
)

const (
	benchRows  = 1 << 20 // 1,048,576 rows
	benchBatch = 1 << 16 // one Parquet row group
	benchRules = 150
)

var (
	benchHosts = []string{"www.example.com", "cdn.example.net", "api.shop.example", "login.example.org", "static.cdn-cache.example",
		"update.vendor.example", "mail.corp.example", "intranet.corp.example", "metrics.saas.example", "img.news.example"}
	benchUAs = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
		"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
		"Microsoft-CryptoAPI/10.0", "Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.50",
		"curl/8.4.0", "python-requests/2.31.0", "okhttp/4.12.0", "Go-http-client/1.1", "Dalvik/2.1.0 (Linux; U; Android 13)",
	}
	benchPaths = []string{"/", "/index.html", "/static/js/app.%x.js", "/static/css/site.%x.css", "/api/v1/users/%d", "/api/v1/orders?page=%d&size=50",
		"/images/product-%d.jpg", "/search?q=shoes+%d&sort=price", "/wp-content/uploads/2024/%02d/photo.png", "/login?next=%%2Faccount%%2F%d",
		"/download/setup-%d.exe", "/cgi-bin/status.cgi?id=%d", "/favicon.ico", "/health", "/graphql?op=q%d"}
	// Attack-looking requests, rare, so that rules find something.
	benchBad = []string{"/index.php?id=1%27%20UNION%20SELECT%20password%20FROM%20users--", "/../../../../etc/passwd",
		"/owa/auth/x.js", "/cmd.jsp?cmd=whoami", "/?x=${jndi:ldap://198.51.100.7/a}", "/wp-admin/admin-ajax.php?action=revslider_show_image&img=../wp-config.php",
		"/solr/admin/cores?action=CREATE&name=x", "/vpn/../vpns/cfg/smb.conf", "/manager/html", "/.git/config"}
)

// benchHTTP builds the HTTP rows as row-group batches with realistic
// values; strings come from pools so that a million rows fit in memory
// the way a Parquet reader's strings would.
func benchHTTP(tb testing.TB) []*table.Table {
	rng := rand.New(rand.NewPCG(1, 2))
	pool := func(n int, f func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	uris := pool(20000, func(i int) string {
		if i%500 == 0 {
			return benchBad[(i/500)%len(benchBad)]
		}
		p := benchPaths[rng.IntN(len(benchPaths))]
		if strings.Contains(p, "%") {
			return fmt.Sprintf(p, rng.IntN(1<<20))
		}
		return p
	})
	methods := []string{"GET", "GET", "GET", "GET", "GET", "GET", "POST", "POST", "HEAD", "PUT", "OPTIONS"}
	heads := pool(20000, func(i int) string {
		return fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n",
			methods[i%len(methods)], uris[i], benchHosts[i%len(benchHosts)], benchUAs[i%len(benchUAs)])
	})
	addrs := pool(5000, func(i int) string {
		if i%3 == 0 {
			return fmt.Sprintf("198.51.%d.%d", i%256, (i/256)%256)
		}
		return fmt.Sprintf("10.%d.%d.%d", i%200, (i/200)%256, i%250+1)
	})
	statuses := []int64{200, 200, 200, 200, 304, 301, 302, 404, 500, 403}
	var out []*table.Table
	for start := 0; start < benchRows; start += benchBatch {
		n := benchBatch
		t := &table.Table{Rows: n, Columns: map[string]*table.Column{}}
		str := func(name string, f func(i int) string) {
			c := &table.Column{Name: name, Kind: table.String, Strs: make([]string, n)}
			for i := range n {
				c.Strs[i] = f(i)
			}
			t.Columns[name] = c
		}
		num := func(name string, kind table.Kind, f func(i int) int64) {
			c := &table.Column{Name: name, Kind: kind, Ints: make([]int64, n)}
			for i := range n {
				c.Ints[i] = f(i)
			}
			t.Columns[name] = c
		}
		idx := make([]int, n)
		for i := range idx {
			idx[i] = rng.IntN(len(uris))
		}
		str("uid", func(i int) string { return fmt.Sprintf("C%017d", start+i) })
		str("capture_id", func(int) string { return "bench" })
		str("orig_h", func(i int) string { return addrs[idx[i]%len(addrs)] })
		str("resp_h", func(i int) string { return addrs[(idx[i]*7)%len(addrs)] })
		num("resp_p", table.Int64, func(i int) int64 { return []int64{80, 8080, 80, 80}[i%4] })
		num("trans_depth", table.Int64, func(i int) int64 { return 1 })
		num("ts", table.Time, func(i int) int64 { return 1700000000e9 + int64(start+i)*1e6 })
		str("method", func(i int) string { return methods[idx[i]%len(methods)] })
		str("host", func(i int) string { return benchHosts[idx[i]%len(benchHosts)] })
		str("uri", func(i int) string { return uris[idx[i]] })
		str("user_agent", func(i int) string { return benchUAs[idx[i]%len(benchUAs)] })
		str("referrer", func(i int) string { return "https://" + benchHosts[(idx[i]+1)%len(benchHosts)] + "/" })
		str("request_head", func(i int) string { return heads[idx[i]] })
		num("status_code", table.Int64, func(i int) int64 { return statuses[idx[i]%len(statuses)] })
		num("response_body_len", table.Int64, func(i int) int64 { return int64(idx[i] * 13 % 100000) })
		out = append(out, t)
	}
	return out
}

// syntheticHTTPRules writes n varied HTTP rules: value lists with every
// string modifier, regular expressions, filters, keywords, numbers and
// derived URI parts, as real rule packs mix them.
func syntheticHTTPRules(n int) string {
	words := []string{"admin", "login", "shell", "cmd", "exec", "passwd", "upload", "backup", "config", "debug", "console",
		"phpinfo", "eval", "base64", "union", "select", "script", "onerror", "jndi", "ldap", "wget", "curl", "powershell",
		"certutil", "bitsadmin", "mshta", "rundll32", "regsvr32", "webdav", "actuator"}
	var b strings.Builder
	for i := range n {
		w := func(k int) string { return words[(i*7+k*3)%len(words)] + fmt.Sprint(k%3) }
		fmt.Fprintf(&b, "---\ntitle: synthetic %d\nid: 00000000-0000-4000-8000-%012d\nlogsource: {category: proxy}\ndetection:\n", i, i)
		switch i % 10 {
		case 0:
			fmt.Fprintf(&b, "  sel:\n    c-uri|contains:\n      - '%s'\n      - '%s'\n      - '/%s/'\n      - '%s='\n  condition: sel\n", w(1), w(2), w(3), w(4))
		case 1:
			fmt.Fprintf(&b, "  sel:\n    cs-method: POST\n    c-uri|endswith: ['.%s', '/%s.php']\n  condition: sel\n", w(1), w(2))
		case 2:
			fmt.Fprintf(&b, "  sel:\n    c-useragent|startswith: ['%s/', '%s']\n  filter:\n    cs-host|endswith: '.corp.example'\n  condition: sel and not filter\n", w(1), w(2))
		case 3:
			fmt.Fprintf(&b, "  sel:\n    c-uri|re: '/%s/[0-9]+/%s'\n  condition: sel\n", w(1), w(2))
		case 4:
			fmt.Fprintf(&b, "  sel:\n    c-uri|contains|all: ['%s', '%s']\n    sc-status: [200, 500]\n  condition: sel\n", w(1), w(2))
		case 5:
			fmt.Fprintf(&b, "  keywords:\n    - '%s'\n    - '%s %s'\n  condition: keywords\n", w(1), w(2), w(3))
		case 6:
			fmt.Fprintf(&b, "  sel:\n    c-uri-extension: ['%s', 'jsp', 'aspx']\n    c-uri-query|contains: '%s'\n  condition: sel\n", w(1), w(2))
		case 7:
			fmt.Fprintf(&b, "  sel_a:\n    cs-host|contains: '%s'\n  sel_b:\n    c-uri|startswith: '/%s'\n  condition: 1 of sel_*\n", w(1), w(2))
		case 8:
			fmt.Fprintf(&b, "  sel:\n    c-uri|contains: '*%s*%s*'\n    cs-referer|contains: '%s'\n  condition: sel\n", w(1), w(2), w(3))
		default:
			fmt.Fprintf(&b, "  sel:\n    dst_ip|cidr: '198.51.%d.0/24'\n    c-uri|contains: '%s'\n  condition: sel\n", i%256, w(1))
		}
	}
	return b.String()
}

func benchmarkRules(b *testing.B, rs *Ruleset, batches []*table.Table) {
	rules := len(rs.types[HTTP].rules)
	b.ReportAllocs()
	for b.Loop() {
		ev := rs.NewEvaluator()
		for _, t := range batches {
			if err := ev.Add(HTTP, t); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := ev.Alerts(); err != nil {
			b.Fatal(err)
		}
	}
	s := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(benchRows)*float64(rules)/s, "row-rules/s")
	b.ReportMetric(float64(benchRows)/s, "rows/s")
	b.ReportMetric(float64(rules), "rules")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkEvaluate runs 150 rules over a 1,048,576-row HTTP table in
// row-group batches of 65,536 rows.
func BenchmarkEvaluate(b *testing.B) {
	batches := benchHTTP(b)
	b.Run("synthetic", func(b *testing.B) {
		rs, rep := Compile(DefaultConfig(), Parse("bench.yml", []byte(syntheticHTTPRules(benchRules))))
		if rep.Count(Supported) != benchRules {
			b.Fatalf("%d of %d synthetic rules supported", rep.Count(Supported), benchRules)
		}
		benchmarkRules(b, rs, batches)
	})
	b.Run("sigmahq", func(b *testing.B) {
		dir := sharedDir(b, "sigmahq")
		var docs []*Document
		for _, f := range []string{dir, packDir} {
			files, _ := ruleFiles([]string{f})
			for _, p := range files {
				data, err := os.ReadFile(p)
				if err != nil {
					b.Fatal(err)
				}
				for _, d := range Parse(p, data) {
					if d.Rule != nil && (d.Rule.Logsource.Category == "proxy" || d.Rule.Logsource.Category == "webserver") && filepath.Base(p) != "" {
						docs = append(docs, d)
					}
				}
			}
		}
		rs, _ := Compile(DefaultConfig(), docs)
		have := len(rs.types[HTTP].rules)
		if have < benchRules {
			extra := Parse("bench.yml", []byte(syntheticHTTPRules(benchRules-have)))
			rs, _ = Compile(DefaultConfig(), append(docs, extra...))
		} else {
			rs.types[HTTP].rules = rs.types[HTTP].rules[:benchRules]
		}
		benchmarkRules(b, rs, batches)
	})
}
