package server

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/converter"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// CodecPath is where the app serves the Temporal payload codec: the
// Temporal Web UI, set to this codec endpoint, posts sealed payloads to
// CodecPath+"/decode" and shows what comes back (and to "/encode" for the
// payloads an admin types into it).
const CodecPath = "/api/v1/temporal/codec"

// CodecSettings serves the payload codec to the Temporal Web UI.
type CodecSettings struct {
	// Codec is the one every client and worker seals payloads with; nil
	// serves no codec endpoint.
	Codec converter.PayloadCodec
	// UIOrigins are the Temporal Web UI's origins ("http://127.0.0.1:8233"):
	// the browser may call the endpoint from them with the admin's session.
	UIOrigins []string
}

// codecRoutes serves the codec, to admins only: the payloads hold
// citizens' messages. It asks no CSRF token, which the Temporal UI cannot
// send: encoding and decoding change nothing, and a page of another origin
// cannot read the answer (CORS names only the UI's origins).
func (s *Server) codecRoutes(r *gin.Engine) {
	if s.cfg.Codec.Codec == nil {
		return
	}
	h := converter.NewPayloadCodecHTTPHandler(s.cfg.Codec.Codec)
	for _, op := range []string{"/encode", "/decode"} {
		r.OPTIONS(CodecPath+op, s.codecCORS, func(c *gin.Context) { c.Status(http.StatusNoContent) })
		r.POST(CodecPath+op, s.codecCORS, s.requireCodecAdmin, func(c *gin.Context) { h.ServeHTTP(c.Writer, c.Request) })
	}
}

func (s *Server) codecCORS(c *gin.Context) {
	origin := c.GetHeader("Origin")
	if origin == "" || !slices.Contains(s.cfg.Codec.UIOrigins, origin) {
		return
	}
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
	h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace")
	h.Add("Vary", "Origin")
}

func (s *Server) requireCodecAdmin(c *gin.Context) {
	p := app.PrincipalOf(c)
	switch {
	case p == nil:
		app.Fail(c, hailurah.Errorf(hailurah.EUNAUTHORIZED, "Silakan masuk sebagai admin terlebih dahulu."))
	case p.User.Role != hailurah.RoleAdmin:
		app.Fail(c, hailurah.Errorf(hailurah.EFORBIDDEN, "Hanya admin yang dapat membuka isi alur kerja Temporal."))
	default:
		c.Next()
	}
}
