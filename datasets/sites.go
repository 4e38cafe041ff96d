package datasets

// siteKind says what a server is for, which decides request and response
// shapes.
type siteKind uint8

const (
	kindPage  siteKind = iota // a web page that pulls sub-resources
	kindAsset                 // static assets: scripts, fonts, images
	kindAPI                   // JSON APIs and long-lived app connections
	kindMedia                 // large media objects
	kindPlain                 // plain-HTTP services (captive checks, updates, OCSP)
	kindNTP
)

// site is a named service and the servers behind it: CDNs answer with
// one of several addresses.
type site struct {
	siteSpec
	srv  *host
	pool []*host // srv first
}

type siteSpec struct {
	name   string
	rng    string // address range key
	server string // HTTP Server header
	cnames []string
	kind   siteKind
	weight int  // popularity among page visits
	tls12  bool // server negotiates TLS 1.2 (and sends its certificate in clear)
	v6     bool // has an AAAA record
	ttl    uint32
	subs   []string // names a page pulls resources from
	os     string   // only hosts of this OS use it ("" any)
}

// siteSpecs is the catalogue of ordinary destinations. Names are real
// services or their typical CDN CNAME shapes; every address comes from the
// block given by rng.
var siteSpecs = []siteSpec{
	{name: "www.google.com", rng: "google", server: "gws", kind: kindPage, weight: 30, v6: true, ttl: 300,
		subs: []string{"www.gstatic.com", "apis.google.com"}},
	{name: "www.gstatic.com", rng: "google", server: "sffe", kind: kindAsset, v6: true, ttl: 300},
	{name: "apis.google.com", rng: "google", server: "ESF", kind: kindAsset, v6: true, ttl: 300},
	{name: "fonts.googleapis.com", rng: "google", server: "ESF", kind: kindAsset, v6: true, ttl: 300},
	{name: "fonts.gstatic.com", rng: "google", server: "sffe", kind: kindAsset, v6: true, ttl: 300},
	{name: "www.youtube.com", rng: "google", server: "ESF", kind: kindPage, weight: 10, v6: true, ttl: 300,
		subs: []string{"i.ytimg.com", "fonts.gstatic.com"}},
	{name: "i.ytimg.com", rng: "google", server: "sffe", kind: kindMedia, v6: true, ttl: 300},
	{name: "github.com", rng: "github", server: "GitHub.com", kind: kindPage, weight: 10, ttl: 60,
		subs: []string{"github.githubassets.com", "avatars.githubusercontent.com"}},
	{name: "github.githubassets.com", rng: "fastly", server: "GitHub.com", kind: kindAsset, ttl: 3600,
		cnames: []string{"github.map.fastly.net"}},
	{name: "avatars.githubusercontent.com", rng: "ghcontent", server: "GitHub.com", kind: kindAsset, ttl: 3600},
	{name: "stackoverflow.com", rng: "fastly", server: "", kind: kindPage, weight: 8, ttl: 300,
		subs: []string{"cdn.sstatic.net", "fonts.gstatic.com"}},
	{name: "cdn.sstatic.net", rng: "fastly", server: "", kind: kindAsset, ttl: 300,
		cnames: []string{"cdn.sstatic.net.map.fastly.net"}},
	{name: "www.bbc.co.uk", rng: "fastly", server: "BBC-GTM", kind: kindPage, weight: 6, ttl: 120,
		cnames: []string{"www.bbc.co.uk.pri.bbc.co.uk", "bbc.map.fastly.net"}, subs: []string{"static.files.bbci.co.uk"}},
	{name: "static.files.bbci.co.uk", rng: "akamai", server: "AkamaiNetStorage", kind: kindAsset, ttl: 60,
		cnames: []string{"static.files.bbci.co.uk.edgekey.net", "e3891.dscg.akamaiedge.net"}},
	{name: "en.wikipedia.org", rng: "doc2", server: "ATS/9.2.5", kind: kindPage, weight: 8, v6: true, ttl: 600,
		cnames: []string{"dyna.wikimedia.org"}, subs: []string{"upload.wikimedia.org"}},
	{name: "upload.wikimedia.org", rng: "doc2", server: "ATS/9.2.5", kind: kindMedia, v6: true, ttl: 600},
	{name: "www.microsoft.com", rng: "akamai", server: "AkamaiNetStorage", kind: kindPage, weight: 4, ttl: 3600,
		cnames: []string{"www.microsoft.com-c-3.edgekey.net", "e13678.dscb.akamaiedge.net"}},
	{name: "login.microsoftonline.com", rng: "azure", server: "", kind: kindAPI, weight: 6, ttl: 300,
		cnames: []string{"login.mso.msidentity.com", "ak.privatelink.msidentity.com"}},
	{name: "outlook.office365.com", rng: "office", server: "Microsoft-IIS/10.0", kind: kindPage, weight: 12, ttl: 60,
		cnames: []string{"outlook.ha.office365.com"}, subs: []string{"res.cdn.office.net"}},
	{name: "res.cdn.office.net", rng: "akamai", server: "AkamaiNetStorage", kind: kindAsset, ttl: 300,
		cnames: []string{"res.cdn.office.net.edgesuite.net"}},
	{name: "app.slack.com", rng: "aws", server: "Apache", kind: kindAPI, weight: 8, ttl: 60,
		subs: []string{"a.slack-edge.com"}},
	{name: "a.slack-edge.com", rng: "cloudfront", server: "Apache", kind: kindAsset, ttl: 60},
	{name: "www.amazon.com", rng: "cloudfront", server: "Server", kind: kindPage, weight: 4, ttl: 60,
		cnames: []string{"tp.47cf2c8c9-frontier.amazon.com", "d3ag4hukkh62yn.cloudfront.net"},
		subs:   []string{"m.media-amazon.com"}},
	{name: "m.media-amazon.com", rng: "cloudfront", server: "Server", kind: kindMedia, ttl: 60},
	{name: "cdn.jsdelivr.net", rng: "fastly", server: "", kind: kindAsset, ttl: 300},
	{name: "cdnjs.cloudflare.com", rng: "cloudflare", server: "cloudflare", kind: kindAsset, v6: true, ttl: 300},
	{name: "docs.python.org", rng: "fastly", server: "nginx", kind: kindPage, weight: 4, ttl: 86400,
		cnames: []string{"dualstack.python.map.fastly.net"}},
	{name: "www.example.com", rng: "doc1", server: "ECS (dcb/7F83)", kind: kindPage, weight: 2, tls12: true, ttl: 3600},
	{name: "news.ycombinator.com", rng: "doc1", server: "nginx", kind: kindPage, weight: 3, tls12: true, ttl: 300},
	{name: "intranet-portal.example.net", rng: "doc1", server: "Apache/2.4.58 (Ubuntu)", kind: kindPage, weight: 6,
		tls12: true, ttl: 3600, v6: true},
	{name: "settings-win.data.microsoft.com", rng: "azure", server: "", kind: kindAPI, tls12: true, ttl: 300,
		cnames: []string{"atm-settingsfe-prod-geo2.trafficmanager.net"}, os: "windows"},
	{name: "v10.events.data.microsoft.com", rng: "azure", server: "", kind: kindAPI, tls12: true, ttl: 300,
		cnames: []string{"global.asimov.events.data.trafficmanager.net"}, os: "windows"},
	{name: "gateway.icloud.com", rng: "apple", server: "AppleHttpServer", kind: kindAPI, ttl: 300, os: "macos"},
	{name: "api.snapcraft.io", rng: "canonical", server: "nginx", kind: kindAPI, ttl: 300, os: "linux"},
	// Plain HTTP.
	{name: "www.msftconnecttest.com", rng: "akamai", server: "", kind: kindPlain, ttl: 60,
		cnames: []string{"www.msftconnecttest.com.edgesuite.net"}, os: "windows"},
	{name: "ctldl.windowsupdate.com", rng: "akamai", server: "ECAcc (nyd/D16A)", kind: kindPlain, ttl: 300,
		cnames: []string{"wu-bg-shim.trafficmanager.net"}, os: "windows"},
	{name: "connectivity-check.ubuntu.com", rng: "canonical", server: "nginx", kind: kindPlain, ttl: 60, os: "linux"},
	{name: "archive.ubuntu.com", rng: "canonical", server: "Apache/2.4.29 (Ubuntu)", kind: kindPlain, ttl: 60,
		os: "linux"},
	{name: "changelogs.ubuntu.com", rng: "canonical", server: "Apache/2.4.29 (Ubuntu)", kind: kindPlain, ttl: 60,
		os: "linux"},
	{name: "captive.apple.com", rng: "apple", server: "AppleHttpServer", kind: kindPlain, ttl: 300, os: "macos"},
	{name: "ocsp.digicert.com", rng: "doc2", server: "ECAcc (nyd/D13E)", kind: kindPlain, ttl: 3600},
	// Time.
	{name: "ntp.ubuntu.com", rng: "canonical", kind: kindNTP, ttl: 60, os: "linux"},
	{name: "time.windows.com", rng: "azure", kind: kindNTP, ttl: 300, os: "windows"},
	{name: "time.apple.com", rng: "apple", kind: kindNTP, ttl: 300, os: "macos"},
}

// cdnRanges are the providers whose DNS rotates among addresses.
var cdnRanges = map[string]bool{"google": true, "fastly": true, "cloudflare": true, "cloudfront": true, "akamai": true}

func (n *network) buildSites() {
	for _, sp := range siteSpecs {
		s := &site{siteSpec: sp}
		s.srv = n.remote(sp.name, "server", sp.rng)
		if sp.v6 {
			n.remote6(s.srv)
		}
		s.pool = []*host{s.srv}
		if cdnRanges[sp.rng] && sp.kind != kindPlain && sp.kind != kindNTP {
			for range 1 + n.r.IntN(3) {
				x := n.remote(sp.name, "server", sp.rng)
				if sp.v6 {
					n.remote6(x)
				}
				s.pool = append(s.pool, x)
			}
		}
		n.sites = append(n.sites, s)
		n.siteByName[sp.name] = s
	}
}
