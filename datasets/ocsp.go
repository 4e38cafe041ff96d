package datasets

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"math/rand/v2"
	"time"
)

// OCSP messages (RFC 6960) with real structure and random hashes and
// signature, so dissectors parse them as a client and responder would.

type ocspCertID struct {
	HashAlg  pkix.AlgorithmIdentifier
	NameHash []byte
	KeyHash  []byte
	Serial   *big.Int
}

type ocspSingleReq struct{ Cert ocspCertID }

type ocspTBSRequest struct{ List []ocspSingleReq }

type ocspRequestT struct{ TBS ocspTBSRequest }

type ocspSingleResp struct {
	Cert       ocspCertID
	Good       asn1.Flag `asn1:"tag:0,optional"`
	ThisUpdate time.Time `asn1:"generalized"`
	NextUpdate time.Time `asn1:"generalized,explicit,tag:0,optional"`
}

type ocspResponseData struct {
	ResponderID asn1.RawValue
	ProducedAt  time.Time `asn1:"generalized"`
	Responses   []ocspSingleResp
}

type ocspBasic struct {
	TBS       ocspResponseData
	SigAlg    pkix.AlgorithmIdentifier
	Signature asn1.BitString
}

type ocspBytes struct {
	Type     asn1.ObjectIdentifier
	Response []byte
}

type ocspResponseT struct {
	Status asn1.Enumerated
	Bytes  ocspBytes `asn1:"explicit,tag:0"`
}

var (
	oidSHA1          = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidOCSPBasic     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
)

func ocspID(r *rand.Rand) ocspCertID {
	serial := randBytes(r, 16)
	serial[0] &= 0x7f
	serial[0] |= 0x01
	return ocspCertID{HashAlg: pkix.AlgorithmIdentifier{Algorithm: oidSHA1, Parameters: asn1.NullRawValue},
		NameHash: randBytes(r, 20), KeyHash: randBytes(r, 20), Serial: new(big.Int).SetBytes(serial)}
}

// ocspExchange returns a DER OCSP request and the responder's answer.
func ocspExchange(r *rand.Rand, t int64) (req, resp []byte) {
	id := ocspID(r)
	req, err := asn1.Marshal(ocspRequestT{TBS: ocspTBSRequest{List: []ocspSingleReq{{Cert: id}}}})
	if err != nil {
		return nil, nil
	}
	now := time.Unix(0, t).UTC().Truncate(time.Hour)
	keyHash, _ := asn1.Marshal(randBytes(r, 20))
	basic := ocspBasic{
		TBS: ocspResponseData{
			ResponderID: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, IsCompound: true, Bytes: keyHash},
			ProducedAt:  now.Add(-3 * time.Hour),
			Responses: []ocspSingleResp{{Cert: id, Good: true, ThisUpdate: now.Add(-3 * time.Hour),
				NextUpdate: now.Add(4 * 24 * time.Hour)}},
		},
		SigAlg:    pkix.AlgorithmIdentifier{Algorithm: oidSHA256WithRSA, Parameters: asn1.NullRawValue},
		Signature: asn1.BitString{Bytes: noiseBytes(r, 256), BitLength: 2048},
	}
	inner, err := asn1.Marshal(basic)
	if err != nil {
		return req, nil
	}
	resp, err = asn1.Marshal(ocspResponseT{Bytes: ocspBytes{Type: oidOCSPBasic, Response: inner}})
	if err != nil {
		return req, nil
	}
	return req, resp
}
