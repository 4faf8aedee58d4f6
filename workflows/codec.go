package workflows

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// Payloads hold citizens' messages, names and phone-derived keys, and a
// cluster's histories are read by whoever operates it: every client and
// worker of HAI LURAH seals them with AES-256-GCM before they leave the
// process (NewDataConverter).
const (
	// MetadataEncodingEncrypted marks a sealed payload; its data is the
	// nonce followed by the sealed bytes of the original payload.
	MetadataEncodingEncrypted = "binary/encrypted"
	// MetadataEncryptionKeyID names the key a payload was sealed with (a
	// digest of it, not the key), so a worker with another key says so
	// instead of failing with a bare authentication error.
	MetadataEncryptionKeyID = "encryption-key-id"
)

// PayloadCodec seals payloads with AES-256-GCM and opens them again.
// Payloads that are not sealed pass through Decode unchanged: histories
// recorded before the codec existed still replay and run.
type PayloadCodec struct {
	aead  cipher.AEAD
	keyID string
}

var _ converter.PayloadCodec = (*PayloadCodec)(nil)

// PayloadKey derives the 32-byte payload key from a secret
// (HAILURAH_PAYLOAD_KEY, or else HAILURAH_SECRET): an HMAC under a label
// of its own, so the key is never the secret that also signs sessions.
func PayloadKey(secret string) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("hailurah/temporal-payload-codec/v1"))
	return mac.Sum(nil)
}

// NewPayloadCodec returns the codec for a 32-byte key.
func NewPayloadCodec(key []byte) (*PayloadCodec, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("payload codec: key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	id := sha256.Sum256(append([]byte("key-id:"), key...))
	return &PayloadCodec{aead: aead, keyID: hex.EncodeToString(id[:6])}, nil
}

// DataConverter is the SDK's default converter with payloads sealed by c:
// the one data converter of every client and worker.
func (c *PayloadCodec) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// Encode seals each payload.
func (c *PayloadCodec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("payload codec: %w", err)
		}
		nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("payload codec: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(MetadataEncodingEncrypted),
				MetadataEncryptionKeyID:    []byte(c.keyID),
			},
			Data: c.aead.Seal(nonce, nonce, plain, []byte(c.keyID)),
		}
	}
	return out, nil
}

// Decode opens each sealed payload and passes any other through.
func (c *PayloadCodec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != MetadataEncodingEncrypted {
			out[i] = p
			continue
		}
		if id := string(p.GetMetadata()[MetadataEncryptionKeyID]); id != c.keyID {
			return nil, fmt.Errorf("payload codec: payload sealed with key %s, this process has key %s "+
				"(HAILURAH_PAYLOAD_KEY or HAILURAH_SECRET differs between processes)", id, c.keyID)
		}
		data := p.GetData()
		if len(data) < c.aead.NonceSize() {
			return nil, errors.New("payload codec: sealed payload too short")
		}
		nonce, sealed := data[:c.aead.NonceSize()], data[c.aead.NonceSize():]
		plain, err := c.aead.Open(nil, nonce, sealed, []byte(c.keyID))
		if err != nil {
			return nil, fmt.Errorf("payload codec: %w", err)
		}
		var orig commonpb.Payload
		if err := proto.Unmarshal(plain, &orig); err != nil {
			return nil, fmt.Errorf("payload codec: %w", err)
		}
		out[i] = &orig
	}
	return out, nil
}
