package datasets

import (
	"encoding/binary"
	"math/rand/v2"
)

var (
	sshKexClient = []string{
		"curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,sntrup761x25519-sha512@openssh.com,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,ext-info-c,kex-strict-c-v00@openssh.com",
		"ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256",
	}
	sshKexServer = []string{
		"curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,sntrup761x25519-sha512@openssh.com,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,kex-strict-s-v00@openssh.com",
		"rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519",
	}
	sshCiphers = "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com"
	sshMACs    = "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1"
)

// sshPacket frames a cleartext SSH binary packet (RFC 4253 section 6).
func sshPacket(r *rand.Rand, payload []byte) []byte {
	pad := 8 - (5+len(payload))%8
	if pad < 4 {
		pad += 8
	}
	b := binary.BigEndian.AppendUint32(nil, uint32(1+len(payload)+pad))
	b = append(b, byte(pad))
	b = append(b, payload...)
	return append(b, randBytes(r, pad)...)
}

func sshString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func sshKexinit(r *rand.Rand, client bool) []byte {
	kex := sshKexServer
	if client {
		kex = sshKexClient
	}
	p := append([]byte{20}, randBytes(r, 16)...)
	for _, l := range []string{kex[0], kex[1], sshCiphers, sshCiphers, sshMACs, sshMACs,
		"none,zlib@openssh.com", "none,zlib@openssh.com", "", ""} {
		p = sshString(p, l)
	}
	p = append(p, 0, 0, 0, 0, 0)
	return sshPacket(r, p)
}

// sshEnc is the size of a chacha20-poly1305 packet carrying n payload bytes.
func sshEnc(n int) int {
	body := 1 + n
	pad := 8 - (4+body)%8
	if pad < 4 {
		pad += 8
	}
	return 4 + body + pad + 16
}

// sshHandshake returns the messages up to an interactive shell: banners,
// key exchange, public-key authentication and the session channel.
func sshHandshake(r *rand.Rand, clientBanner, serverBanner string) []message {
	enc := func(from int, delay int64, n int) message {
		return message{from: from, delay: delay, bulk: sshEnc(n), salt: r.Uint64()}
	}
	quick := func() int64 { return 100*us + r.Int64N(int64(900*us)) }
	ecdhInit := sshPacket(r, append([]byte{30}, sshString(nil, string(randBytes(r, 32)))...))
	hostKey := sshString(sshString(nil, "ssh-ed25519"), string(randBytes(r, 32)))
	sig := sshString(sshString(nil, "ssh-ed25519"), string(randBytes(r, 64)))
	rp := append([]byte{31}, sshString(nil, string(hostKey))...)
	rp = sshString(rp, string(randBytes(r, 32)))
	rp = sshString(rp, string(sig))
	reply := sshPacket(r, rp)
	newkeys := sshPacket(r, []byte{21})
	msgs := []message{
		{from: 1, delay: 1*ms + r.Int64N(int64(3*ms)), head: []byte(serverBanner + "\r\n")},
		{from: 0, delay: quick(), head: []byte(clientBanner + "\r\n")},
		{from: 0, delay: quick(), head: sshKexinit(r, true)},
		{from: 1, delay: quick(), head: sshKexinit(r, false)},
		{from: 0, delay: 300*us + r.Int64N(int64(2*ms)), head: ecdhInit},
		{from: 1, delay: 2*ms + r.Int64N(int64(6*ms)), head: append(reply, newkeys...)},
	}
	msgs = append(msgs, message{from: 0, delay: 1*ms + r.Int64N(int64(3*ms)), head: newkeys, bulk: sshEnc(22), salt: r.Uint64()})
	for _, x := range []struct{ from, n int }{{1, 22}, {0, 60}, {1, 40}, {0, 360}, {1, 330}, {0, 650}, {1, 6},
		{0, 100}, {1, 24}, {0, 330}, {1, 60}} {
		msgs = append(msgs, enc(x.from, quick(), x.n))
	}
	// The message of the day.
	msgs = append(msgs, enc(1, 5*ms+r.Int64N(int64(20*ms)), 600+r.IntN(1400)))
	return msgs
}

// sshSession is an interactive shell lasting about dur: typed commands
// echoed one keystroke at a time, then their output.
func sshSession(r *rand.Rand, clientBanner, serverBanner string, dur int64) *tcpPlan {
	msgs := sshHandshake(r, clientBanner, serverBanner)
	var elapsed int64
	for elapsed < dur {
		think := 2*sec + int64(expDraw(r)*float64(12*sec))
		think = min(think, 60*sec)
		elapsed += think
		for k := range 3 + r.IntN(25) {
			d := 60*ms + int64(expDraw(r)*float64(120*ms))
			if k == 0 {
				d = think
			}
			elapsed += d
			msgs = append(msgs,
				message{from: 0, delay: d, bulk: 36, salt: r.Uint64()},
				message{from: 1, delay: 200*us + r.Int64N(int64(600*us)), bulk: 36, salt: r.Uint64()})
		}
		out := lognorm(r, 1200, 1.4, 40, 60000)
		msgs = append(msgs,
			message{from: 0, delay: 100 * ms, bulk: 36, salt: r.Uint64()},
			message{from: 1, delay: 1*ms + r.Int64N(int64(150*ms)), bulk: sshEnc(out), salt: r.Uint64()})
	}
	msgs = append(msgs,
		message{from: 0, delay: 2 * sec, bulk: 36, salt: r.Uint64()},
		message{from: 1, delay: 2 * ms, bulk: sshEnc(120), salt: r.Uint64()},
		message{from: 0, delay: 300 * us, bulk: sshEnc(40), salt: r.Uint64()})
	return &tcpPlan{msgs: msgs, close: closeFIN0, closeDelay: 5 * ms}
}

// sshCopy is scp or a git fetch: the handshake, then n bytes one way.
func sshCopy(r *rand.Rand, clientBanner, serverBanner string, n int, upload bool) *tcpPlan {
	msgs := sshHandshake(r, clientBanner, serverBanner)
	msgs = append(msgs, message{from: 0, delay: 2 * ms, bulk: sshEnc(120), salt: r.Uint64()},
		message{from: 1, delay: 3*ms + r.Int64N(int64(30*ms)), bulk: sshEnc(200), salt: r.Uint64()})
	from := 1
	if upload {
		from = 0
	}
	for n > 0 {
		k := min(n, 2<<20)
		msgs = append(msgs, message{from: from, delay: 500 * us, bulk: k + k/32768*29 + 29, salt: r.Uint64()})
		n -= k
		if n > 0 {
			// window adjust from the receiver
			msgs = append(msgs, message{from: 1 - from, delay: 200 * us, bulk: sshEnc(9), salt: r.Uint64()})
		}
	}
	msgs = append(msgs, message{from: 1 - from, delay: 1 * ms, bulk: sshEnc(24), salt: r.Uint64()},
		message{from: from, delay: 1 * ms, bulk: sshEnc(40), salt: r.Uint64()})
	return &tcpPlan{msgs: msgs, close: closeFIN0, closeDelay: 2 * ms}
}
