package http

// Transaction is one http.parquet row. Pointer fields are nil where the
// table writes null: a header that was absent, a side of the exchange that
// was never seen. A Transaction handed to the emit function belongs to the
// callee.
type Transaction struct {
	// TS is the time of the request's first byte in Unix nanoseconds, or of
	// the response's when no request was seen.
	TS int64
	// TransDepth is the 1-based position of the exchange in the connection.
	TransDepth int

	// Request side.
	RequestTS          *int64
	Method             *string
	URI                *string
	Version            *string
	Host               *string
	UserAgent          *string
	Referrer           *string
	Origin             *string
	Cookie             *string
	Username           *string
	RequestContentType *string
	RequestBodyLen     *int64
	// RequestHead is the request line and headers as sent, CR and LF
	// included, cut at MaxRequestHead bytes before escaping.
	RequestHead       *string
	ClientHeaderNames []string

	// Response side.
	ResponseTS          *int64
	StatusCode          *int
	StatusMsg           *string
	InfoCode            *int
	InfoMsg             *string
	Location            *string
	Server              *string
	ResponseContentType *string
	ResponseBodyLen     *int64
	ServerHeaderNames   []string

	// RequestGapBytes and ResponseGapBytes count body bytes lost in
	// capture gaps (included in the body lengths).
	RequestGapBytes  int64
	ResponseGapBytes int64

	// v backs the pointer fields above so that one allocation holds the
	// row; the pointers stay valid when a Transaction is copied.
	v txValues

	// Parser bookkeeping.
	reqDone   bool // request complete (or never coming)
	respFinal bool // a final (non-1xx) status line was seen, or none will be
	respDone  bool // the response body is complete
	head      bool // request was HEAD
	connect   bool // request was CONNECT
}

type txValues struct {
	reqTS, respTS                      int64
	method, uri, version               string
	host, ua, referrer, origin, cookie string
	username, reqCT, head              string
	reqBody, respBody                  int64
	status, info                       int
	statusMsg, infoMsg                 string
	location, server, respCT           string
}

func setStr(dst **string, slot *string, v string) {
	*slot = v
	*dst = slot
}
