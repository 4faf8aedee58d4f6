package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/media"
	"github.com/hailurah/hailurah/store/mediastore"
)

// The principals of the authorization matrix, in column order.
//
//   - anon: no session, no token; :code in a path is an unknown tracking code.
//   - warga: no session, but knows the fixture ticket's tracking code.
//   - mod, lurah, fasil: Taman's moderator, lurah and fasilitator (the
//     fixture ticket is Taman's).
//   - mod2, lurah2: Demangan's moderator and lurah (another kelurahan).
//   - pupr: dinas-pupr, the unit the fixture ticket is assigned to.
//   - dlh: dinas-dlh, another unit.
//   - admin: the admin's cookie session.
//   - bearer: an API token created for the admin (m.DB.CreateAPIToken), no
//     cookie, so no CSRF token is needed or sent.
var authzPrincipals = []string{"anon", "warga", "mod", "mod2", "pupr", "dlh", "fasil", "lurah", "lurah2", "admin", "bearer"}

var authzLogins = map[string]string{
	"mod": "moderator", "mod2": "moderator-demangan", "pupr": "dinas-pupr", "dlh": "dinas-dlh",
	"fasil": "fasilitator", "lurah": "lurah", "lurah2": "lurah-demangan", "admin": "admin",
}

// authzRow is one route's expected status per principal. Writes are sent
// with an empty JSON object (API) or an empty form carrying only the CSRF
// token (pages), so a caller who passes authorization gets a validation
// error (400/422) or a 404 for a nonexistent resource, and nothing changes.
type authzRow struct {
	want map[string]int
	note string
}

// w builds a want map from the principals in column order.
func w(codes ...int) map[string]int {
	if len(codes) != len(authzPrincipals) {
		panic(fmt.Sprintf("want has %d codes, need %d", len(codes), len(authzPrincipals)))
	}
	m := map[string]int{}
	for i, p := range authzPrincipals {
		m[p] = codes[i]
	}
	return m
}

// authzMatrix: every registered route. A new route without a row fails
// TestAuthorizationMatrix.
// Columns of w(...): anon, warga, mod, mod2, pupr, dlh, fasil, lurah,
// lurah2, admin, bearer. Pages answer an anonymous caller 303 (to /login,
// checked) and a wrong role 403; the API answers 401 and 403. Run with
// AUTHZ_DUMP=1 to log the observed matrix in this form.
var authzMatrix = map[string]authzRow{
	"GET /":                                 {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200), note: "the public front page; staff see a link to their work"},
	"GET /lacak":                            {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200), note: "the tracking form; ?kode= redirects to /lacak/{code}"},
	"GET /lacak/:code":                      {want: w(404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200), note: "public; anon uses an unknown code (friendly 404 page)"},
	"GET /lacak/:code/qr.png":               {want: w(404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200), note: "the tracking page's QR code"},
	"GET /api/v1/dashboard/curhat/map":      {want: w(401, 401, 200, 200, 403, 403, 200, 200, 200, 200, 200), note: "as the dashboard"},
	"GET /api/v1/opendata/map":              {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200), note: "public, grid cells only"},
	"GET /admin":                            {want: w(303, 303, 403, 403, 403, 403, 403, 403, 403, 200, 200)},
	"GET /admin/aturan":                     {want: w(303, 303, 403, 403, 403, 403, 403, 403, 403, 200, 200)},
	"GET /admin/audit":                      {want: w(303, 303, 403, 403, 403, 403, 403, 403, 403, 200, 200)},
	"GET /admin/kelurahan":                  {want: w(303, 303, 403, 403, 403, 403, 403, 403, 403, 200, 200)},
	"GET /admin/token":                      {want: w(303, 303, 403, 403, 403, 403, 403, 403, 403, 200, 200)},
	"GET /admin/unit":                       {want: w(303, 303, 403, 403, 403, 403, 403, 403, 403, 200, 200)},
	"GET /antrian":                          {want: w(303, 303, 200, 200, 403, 403, 403, 200, 200, 200, 200)},
	"GET /antrian/daftar":                   {want: w(303, 303, 200, 200, 403, 403, 403, 200, 200, 200, 200)},
	"GET /api/openapi.json":                 {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /kegiatan":                         {want: w(303, 303, 403, 403, 403, 403, 200, 200, 200, 200, 200)},
	"GET /pelatihan":                        {want: w(303, 303, 403, 403, 403, 403, 200, 200, 200, 200, 200)},
	"GET /pelatihan/:id":                    {want: w(303, 303, 403, 403, 403, 403, 404, 404, 404, 404, 404)},
	"GET /padat-karya":                      {want: w(303, 303, 403, 403, 403, 403, 200, 200, 200, 200, 200)},
	"GET /padat-karya/:id":                  {want: w(303, 303, 403, 403, 403, 403, 404, 404, 404, 404, 404)},
	"GET /pasar-rakyat":                     {want: w(303, 303, 403, 403, 403, 403, 200, 200, 200, 200, 200)},
	"GET /pasar-rakyat/:id":                 {want: w(303, 303, 403, 403, 403, 403, 404, 404, 404, 404, 404)},
	"GET /pendampingan":                     {want: w(303, 303, 403, 403, 403, 403, 200, 200, 200, 200, 200)},
	"GET /toko-warga/kelola":                {want: w(303, 303, 403, 403, 403, 403, 200, 200, 200, 200, 200)},
	"GET /toko-warga/kelola/:id":            {want: w(303, 303, 403, 403, 403, 403, 404, 404, 404, 404, 404)},
	"GET /toko-warga":                       {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /toko-warga/:id/pesan":             {want: w(404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404)},
	"GET /toko-warga/:id/foto":              {want: w(404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404)},
	"POST /pelatihan":                       {want: w(303, 303, 403, 403, 403, 403, 422, 403, 403, 422, 422)},
	"POST /pelatihan/:id/hadir":             {want: w(303, 303, 403, 403, 403, 403, 404, 403, 403, 404, 404)},
	"POST /padat-karya":                     {want: w(303, 303, 403, 403, 403, 403, 422, 403, 403, 422, 422)},
	"POST /padat-karya/:id/pekerja":         {want: w(303, 303, 403, 403, 403, 403, 404, 403, 403, 404, 404)},
	"POST /pasar-rakyat":                    {want: w(303, 303, 403, 403, 403, 403, 422, 403, 403, 422, 422)},
	"POST /pasar-rakyat/:id/lapak":          {want: w(303, 303, 403, 403, 403, 403, 404, 403, 403, 404, 404)},
	"POST /pendampingan":                    {want: w(303, 303, 403, 403, 403, 403, 422, 403, 403, 422, 422)},
	"POST /toko-warga/kelola":               {want: w(303, 303, 403, 403, 403, 403, 422, 403, 403, 422, 422)},
	"POST /toko-warga/kelola/:id":           {want: w(303, 303, 403, 403, 403, 403, 404, 403, 403, 404, 404)},
	"POST /toko-warga/kelola/:id/pesanan":   {want: w(303, 303, 403, 403, 403, 403, 404, 403, 403, 404, 404)},
	"POST /rumah-tangga/:id/marketplace":    {want: w(303, 303, 403, 403, 403, 403, 422, 403, 403, 403, 403)},
	"GET /profil":                           {want: w(303, 303, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"POST /profil":                          {want: w(303, 303, 422, 422, 422, 422, 422, 422, 422, 422, 422), note: "a post without the form's fields changes nothing"},
	"GET /admin/pengguna/:id":               {want: w(303, 303, 403, 403, 403, 403, 403, 403, 403, 404, 404), note: "nonexistent user id"},
	"POST /admin/pengguna/:id":              {want: w(303, 303, 403, 403, 403, 403, 403, 403, 403, 404, 404), note: "nonexistent user id"},
	"GET /api/v1/users":                     {want: w(401, 401, 403, 403, 403, 403, 403, 403, 403, 200, 200)},
	"GET /api/v1/users/:username":           {want: w(401, 401, 403, 403, 403, 403, 403, 403, 403, 404, 404), note: "nonexistent username"},
	"PATCH /api/v1/users/:username":         {want: w(401, 401, 403, 403, 403, 403, 403, 403, 403, 422, 422), note: "an empty change is 422 before the lookup"},
	"GET /api/v1/audit":                     {want: w(401, 401, 403, 403, 403, 403, 403, 403, 403, 200, 200)},
	"GET /api/v1/dashboard/curhat":          {want: w(401, 401, 200, 200, 403, 403, 200, 200, 200, 200, 200)},
	"GET /api/v1/dashboard/program":         {want: w(401, 401, 200, 200, 403, 403, 200, 200, 200, 200, 200)},
	"GET /api/v1/reports/:kind":             {want: w(401, 401, 403, 403, 403, 403, 403, 400, 400, 400, 400), note: "lurah and admin; the literal :kind and no period are one 400"},
	"GET /laporan":                          {want: w(303, 303, 403, 403, 403, 403, 403, 200, 200, 200, 200)},
	"GET /laporan/buat":                     {want: w(303, 303, 403, 403, 403, 403, 403, 422, 422, 422, 422), note: "an empty form is shown again with its errors"},
	"GET /laporan/berkas/:id":               {want: w(303, 303, 403, 403, 403, 403, 403, 404, 404, 404, 404)},
	"GET /api/v1/dev/outbox":                {want: w(422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422), note: "dev mode only, unauthenticated by design; without ?phone it is 422"},
	"GET /api/v1/dev/phone":                 {want: w(422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422), note: "dev mode only, unauthenticated by design; without ?phone it is 422"},
	"GET /api/v1/grants":                    {want: w(401, 401, 403, 403, 403, 403, 200, 200, 200, 200, 200)},
	"GET /api/v1/grants/:id":                {want: w(401, 401, 403, 403, 403, 403, 200, 200, 404, 200, 200), note: "Taman grant: Demangan's lurah gets 404"},
	"GET /api/v1/grants/budget":             {want: w(401, 401, 403, 403, 403, 403, 200, 200, 200, 422, 422), note: "admin must name a kelurahan (422)"},
	"GET /api/v1/households":                {want: w(401, 401, 403, 403, 403, 403, 200, 200, 200, 200, 200)},
	"GET /api/v1/households/:id":            {want: w(401, 401, 403, 403, 403, 403, 200, 200, 404, 200, 200), note: "Taman household: Demangan's lurah gets 404"},
	"GET /api/v1/me":                        {want: w(401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /api/v1/notifications":             {want: w(401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /api/v1/opendata":                  {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /api/v1/padat-karya":               {want: w(401, 401, 403, 403, 403, 403, 200, 200, 200, 200, 200)},
	"GET /api/v1/pilots":                    {want: w(401, 401, 200, 200, 403, 403, 200, 200, 200, 200, 200)},
	"GET /api/v1/pilots/:id":                {want: w(401, 401, 404, 404, 403, 403, 404, 404, 404, 404, 404), note: "the pilot id does not exist"},
	"OPTIONS /api/v1/temporal/codec/decode": {want: w(204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204), note: "the Temporal UI's CORS preflight"},
	"OPTIONS /api/v1/temporal/codec/encode": {want: w(204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204), note: "the Temporal UI's CORS preflight"},
	"POST /api/v1/temporal/codec/decode":    {want: w(401, 401, 403, 403, 403, 403, 403, 403, 403, 200, 200), note: "payloads hold citizens' messages: admins only"},
	"POST /api/v1/temporal/codec/encode":    {want: w(401, 401, 403, 403, 403, 403, 403, 403, 403, 200, 200)},
	"GET /api/v1/tickets":                   {want: w(401, 401, 200, 200, 200, 200, 403, 200, 200, 200, 200)},
	"GET /api/v1/tickets/:id":               {want: w(401, 401, 200, 404, 200, 404, 403, 200, 404, 200, 200), note: "Taman ticket assigned to pupr: other kelurahan and other unit get 404, fasilitator 403"},
	"GET /api/v1/media/:id":                 {want: w(404, 404, 200, 404, 200, 404, 404, 200, 404, 200, 200), note: "the fixture ticket's photo: whoever may not see the ticket, signed in or not, gets 404"},
	"GET /api/v1/media/:id/thumbnail":       {want: w(404, 404, 200, 404, 200, 404, 404, 200, 404, 200, 200), note: "as GET /api/v1/media/:id"},
	"GET /api/v1/track/:code":               {want: w(404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200), note: "public; anon uses an unknown code (404), warga the fixture's"},
	"GET /api/v1/trainings":                 {want: w(401, 401, 403, 403, 403, 403, 200, 200, 200, 200, 200)},
	"GET /bukti/:id/:file":                  {want: w(303, 303, 404, 404, 404, 404, 403, 404, 404, 404, 404), note: "the fixture ticket with a file that does not exist: 404 for case staff"},
	"GET /curhat":                           {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /dasbor":                           {want: w(303, 303, 200, 200, 403, 403, 200, 200, 200, 200, 200)},
	"GET /data":                             {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /dev/phone":                        {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200), note: "dev mode only, unauthenticated by design"},
	"GET /healthz":                          {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /api/v1/loans":                     {want: w(401, 401, 403, 403, 403, 403, 200, 200, 200, 422, 422), note: "admin must name a kelurahan (422)"},
	"POST /api/v1/loans":                    {want: w(401, 401, 403, 403, 403, 403, 422, 422, 422, 403, 403)},
	"POST /api/v1/loans/fund":               {want: w(401, 401, 403, 403, 403, 403, 403, 422, 422, 422, 422)},
	"GET /api/v1/loans/:id":                 {want: w(401, 401, 403, 403, 403, 403, 404, 404, 404, 404, 404), note: "nonexistent loan"},
	"POST /api/v1/loans/:id/actions":        {want: w(401, 401, 403, 403, 403, 403, 404, 404, 404, 404, 404), note: "nonexistent loan"},
	"GET /api/v1/budget":                    {want: w(401, 401, 403, 403, 403, 403, 200, 200, 200, 200, 200), note: "admin without a kelurahan: the city"},
	"PUT /api/v1/budget/lines/:line":        {want: w(401, 401, 403, 403, 403, 403, 403, 422, 422, 422, 422)},
	"GET /dana-bergulir":                    {want: w(303, 303, 403, 403, 403, 403, 200, 200, 200, 200, 200)},
	"POST /dana-bergulir":                   {want: w(303, 303, 403, 403, 403, 403, 422, 422, 422, 403, 403)},
	"GET /dana-bergulir/:id":                {want: w(303, 303, 403, 403, 403, 403, 404, 404, 404, 404, 404), note: "nonexistent loan"},
	"POST /dana-bergulir/:id/aksi":          {want: w(303, 303, 403, 403, 403, 403, 404, 404, 404, 404, 404), note: "nonexistent loan"},
	"GET /anggaran":                         {want: w(303, 303, 403, 403, 403, 403, 200, 200, 200, 200, 200)},
	"POST /anggaran":                        {want: w(303, 303, 403, 403, 403, 403, 403, 422, 422, 422, 422)},
	"GET /hibah":                            {want: w(303, 303, 403, 403, 403, 403, 200, 200, 200, 200, 200)},
	"GET /hibah/:id":                        {want: w(303, 303, 403, 403, 403, 403, 200, 200, 404, 200, 200)},
	"GET /hibah/:id/foto/:file":             {want: w(303, 303, 403, 403, 403, 403, 404, 404, 404, 404, 404)},
	"GET /kiosk":                            {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /kotak-masuk":                      {want: w(303, 303, 403, 403, 403, 403, 403, 200, 200, 403, 403), note: "the lurah's inbox only"},
	"GET /login":                            {want: w(200, 200, 303, 303, 303, 303, 303, 303, 303, 303, 303), note: "the login form; a signed-in caller is sent on (303)"},
	"GET /m/:token":                         {want: w(404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404), note: "a signed evidence-photo link: public by design, the token is the credential; a forged one is 404 to all"},
	"GET /metrics":                          {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200), note: "open in dev; in server mode only direct loopback or HAILURAH_METRICS_TOKEN (server.TestMetricsNotPublic)"},
	"GET /notifikasi":                       {want: w(303, 303, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /notifikasi/jumlah":                {want: w(303, 303, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /open311/v2/requests.json":         {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /open311/v2/requests.xml":          {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /open311/v2/requests/:id":          {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200), note: "public GeoReport view of the fixture ticket"},
	"GET /open311/v2/services.json":         {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /open311/v2/services.xml":          {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /open311/v2/services/:code":        {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200), note: "public; code lingkungan"},
	"GET /pilot":                            {want: w(303, 303, 200, 200, 403, 403, 200, 200, 200, 200, 200)},
	"GET /pilot/:id":                        {want: w(303, 303, 404, 404, 403, 403, 404, 404, 404, 404, 404)},
	"GET /readyz":                           {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /rumah-tangga":                     {want: w(303, 303, 403, 403, 403, 403, 200, 200, 200, 200, 200)},
	"GET /rumah-tangga/:id":                 {want: w(303, 303, 403, 403, 403, 403, 200, 200, 404, 200, 200)},
	"GET /rumah-tangga/impor":               {want: w(303, 303, 403, 403, 403, 403, 200, 403, 403, 200, 200)},
	"GET /siap-taman":                       {want: w(303, 303, 200, 200, 403, 403, 200, 200, 200, 200, 200)},
	"GET /static/*filepath":                 {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"GET /tiket/:id":                        {want: w(303, 303, 200, 404, 200, 404, 403, 200, 404, 200, 200), note: "as GET /api/v1/tickets/:id"},
	"GET /tugas":                            {want: w(303, 303, 403, 403, 200, 200, 403, 403, 403, 403, 403)},
	"GET /webhook/whatsapp":                 {want: w(403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403), note: "public Meta handshake; without the verify token 403"},
	"HEAD /static/*filepath":                {want: w(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200)},
	"POST /admin/kelurahan":                 {want: w(303, 303, 403, 403, 403, 403, 403, 403, 403, 422, 422)},
	"POST /admin/pengguna":                  {want: w(303, 303, 403, 403, 403, 403, 403, 403, 403, 422, 422)},
	"POST /admin/pengguna/:id/status":       {want: w(303, 303, 403, 403, 403, 403, 403, 403, 403, 404, 404), note: "nonexistent user id"},
	"POST /admin/token":                     {want: w(303, 303, 403, 403, 403, 403, 403, 403, 403, 422, 422)},
	"POST /admin/token/:id/cabut":           {want: w(303, 303, 403, 403, 403, 403, 403, 403, 403, 404, 404), note: "nonexistent token id"},
	"POST /admin/unit":                      {want: w(303, 303, 403, 403, 403, 403, 403, 403, 403, 422, 422)},
	"POST /api/v1/curhat":                   {want: w(422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422), note: "public intake; an empty body is 422"},
	"POST /api/v1/dev/phone/media":          {want: w(422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422), note: "dev mode only; a body without a file is 422"},
	"GET /dev/graph/:id":                    {want: w(401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401), note: "dev mode only: the Graph API stand-in wants its own bearer token"},
	"GET /dev/graph/:id/file":               {want: w(401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401), note: "as GET /dev/graph/:id"},
	"POST /api/v1/dev/phone":                {want: w(422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422), note: "dev mode only, unauthenticated by design"},
	"POST /api/v1/grants":                   {want: w(401, 401, 403, 403, 403, 403, 422, 403, 403, 403, 403)},
	"POST /api/v1/grants/:id/actions":       {want: w(401, 401, 403, 403, 403, 403, 422, 422, 404, 422, 422)},
	"POST /api/v1/households/:id/checkins":  {want: w(401, 401, 403, 403, 403, 403, 422, 403, 403, 422, 422)},
	"POST /api/v1/households/:id/members":   {want: w(401, 401, 403, 403, 403, 403, 422, 403, 403, 422, 422)},
	"POST /api/v1/households/import":        {want: w(401, 401, 403, 403, 403, 403, 415, 403, 403, 422, 422), note: "the fasilitator's kelurahan is implied, so {} is the wrong content type (415); admin must name a kelurahan (422)"},
	"POST /api/v1/login":                    {want: w(422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422), note: "public; an empty body is 422"},
	"POST /api/v1/logout":                   {want: w(401, 401, 204, 204, 204, 204, 204, 204, 204, 204, 204), note: "each staff cell uses a fresh login; the token has no session to end"},
	"POST /api/v1/marketplace-onboardings":  {want: w(401, 401, 403, 403, 403, 403, 422, 403, 403, 422, 422)},
	"POST /api/v1/notifications/read":       {want: w(401, 401, 204, 204, 204, 204, 204, 204, 204, 204, 204), note: "any staff member marks their own notifications read"},
	"POST /api/v1/padat-karya":              {want: w(401, 401, 403, 403, 403, 403, 422, 403, 403, 422, 422)},
	"POST /api/v1/padat-karya/:id/workers":  {want: w(401, 401, 403, 403, 403, 403, 404, 403, 403, 404, 404)},
	"POST /api/v1/pilots":                   {want: w(401, 401, 403, 403, 403, 403, 403, 422, 422, 422, 422)},
	"POST /api/v1/pilots/:id/decision":      {want: w(401, 401, 403, 403, 403, 403, 403, 404, 404, 403, 403), note: "lurah only; the pilot id does not exist"},
	"POST /api/v1/tickets/:id/actions":      {want: w(401, 401, 422, 404, 422, 404, 403, 422, 404, 422, 422), note: "scope (404) is checked before validation (422) of the empty body"},
	"POST /api/v1/tickets/:id/contact":      {want: w(401, 401, 403, 404, 403, 404, 403, 403, 404, 403, 403), note: "scope (404) first; the fixture ticket is anonymous, so whoever may see it is refused (403) before the missing reason; the named cases are in server/contact_test.go"},
	"POST /api/v1/track/:code/reply":        {want: w(404, 422, 403, 403, 403, 403, 403, 403, 403, 403, 403), note: "the citizen's side: anon uses an unknown code (404), warga an empty reply (422); staff, even holding the code, may not answer as the citizen (403)"},
	"POST /api/v1/track/:code/phone":        {want: w(404, 422, 403, 403, 403, 403, 403, 403, 403, 403, 403), note: "the citizen's side: anon uses an unknown code (404), warga no code (422); staff, even holding the tracking code, may not confirm a phone for the citizen (403)"},
	"POST /api/v1/trainings":                {want: w(401, 401, 403, 403, 403, 403, 422, 403, 403, 422, 422)},
	"POST /api/v1/trainings/:id/attendance": {want: w(401, 401, 403, 403, 403, 403, 404, 403, 403, 404, 404)},
	"POST /hibah/:id/aksi":                  {want: w(303, 303, 403, 403, 403, 403, 422, 422, 404, 422, 422)},
	"POST /login":                           {want: w(403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403), note: "public; the form needs the pre-login CSRF cookie, so an empty form is 403 for everyone"},
	"POST /logout":                          {want: w(303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303), note: "anonymous: 303 to /login; staff (fresh login each): 303 after logging out"},
	"POST /notifikasi/baca":                 {want: w(303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303), note: "anonymous: 303 to /login; staff: 303 back after marking read"},
	"POST /open311/v2/requests.json":        {want: w(403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403), note: "public, but needs an api_key: 403 without"},
	"POST /open311/v2/requests.xml":         {want: w(403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403), note: "public, but needs an api_key: 403 without"},
	"POST /pilot":                           {want: w(303, 303, 403, 403, 403, 403, 403, 422, 422, 422, 422)},
	"POST /pilot/:id/keputusan":             {want: w(303, 303, 403, 403, 403, 403, 403, 404, 404, 403, 403)},
	"POST /rumah-tangga/:id/anggota":        {want: w(303, 303, 403, 403, 403, 403, 422, 403, 403, 422, 422)},
	"POST /rumah-tangga/:id/checkin":        {want: w(303, 303, 403, 403, 403, 403, 422, 403, 403, 403, 403), note: "fasilitator only, while POST /api/v1/households/:id/checkins also admits admin"},
	"POST /rumah-tangga/:id/hibah":          {want: w(303, 303, 403, 403, 403, 403, 422, 403, 403, 403, 403)},
	"POST /rumah-tangga/impor":              {want: w(303, 303, 403, 403, 403, 403, 415, 403, 403, 422, 422), note: "as POST /api/v1/households/import"},
	"POST /tiket/:id/aksi":                  {want: w(303, 303, 422, 404, 422, 404, 403, 422, 404, 422, 422), note: "as POST /api/v1/tickets/:id/actions"},
	"POST /tiket/:id/kontak":                {want: w(303, 303, 403, 404, 403, 404, 403, 403, 404, 403, 403), note: "as POST /api/v1/tickets/:id/contact"},
	"POST /webhook/whatsapp":                {want: w(401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 422), note: "a gateway payload needs a bearer token of an admin or moderator (sessions 401); {} then fails validation"},

	// The tracking code's own files: public by the code; anon's code is
	// unknown and the ids do not exist on the fixture ticket (a real one
	// answers 200: server's TestCurhatWithPhotos).
	"GET /api/v1/track/:code/media/:id":           {want: w(404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404)},
	"GET /api/v1/track/:code/media/:id/thumbnail": {want: w(404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404)},
	"GET /api/v1/track/:code/bukti/:file":         {want: w(404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404), note: "only a photo a done event names"},
}

// authzFixture holds the ids the paths are filled with.
type authzFixture struct {
	ticketID, trackingCode, householdID, grantID, mediaID string
}

// authzPath fills a route's parameters for a principal.
func authzPath(route, principal string, fx authzFixture) string {
	_, path, _ := strings.Cut(route, " ")
	code := fx.trackingCode
	if principal == "anon" {
		code = "ZZZZ-ZZZZ"
	}
	switch {
	case strings.HasPrefix(path, "/api/v1/tickets/:id"), strings.HasPrefix(path, "/tiket/:id"),
		strings.HasPrefix(path, "/bukti/:id"):
		path = strings.Replace(path, ":id", fx.ticketID, 1)
	case strings.HasPrefix(path, "/api/v1/media/:id"):
		path = strings.Replace(path, ":id", fx.mediaID, 1)
	case strings.HasPrefix(path, "/open311/v2/requests/:id"):
		path = strings.Replace(path, ":id", fx.ticketID+".json", 1)
	case strings.HasPrefix(path, "/api/v1/households/:id"), strings.HasPrefix(path, "/rumah-tangga/:id"):
		path = strings.Replace(path, ":id", fx.householdID, 1)
	case strings.HasPrefix(path, "/api/v1/grants/:id"), strings.HasPrefix(path, "/hibah/:id"):
		path = strings.Replace(path, ":id", fx.grantID, 1)
	}
	r := strings.NewReplacer(
		"/services/:code", "/services/lingkungan.json",
		":code", code,
		":id", "999999",
		":file", "tidak-ada.jpg",
		"*filepath", "css/app.css",
	)
	path = r.Replace(path)
	if strings.HasPrefix(path, "/open311/v2/services") {
		// Two kelurahan are served: the spec then asks for the jurisdiction.
		path += "?jurisdiction_id=taman"
	}
	return path
}

// authzSession is one principal's client.
type authzSession struct {
	http   *http.Client
	csrf   string
	bearer string
}

func authzClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// fakeIP gives each request its own client address so the per-IP intake
// and tracking limiters (burst 5 and 20) do not answer 429 instead of the
// authorization decision. The program trusts X-Forwarded-For only from
// HAILURAH_TRUSTED_PROXIES, which the test sets to loopback, as a reverse
// proxy on the same host would be.
var fakeIP atomic.Int64

func authzDo(t *testing.T, base string, s *authzSession, method, path string, withCSRF bool) (int, string) {
	t.Helper()
	var body io.Reader
	ctype := ""
	if method != http.MethodGet {
		if strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/open311/") || strings.HasPrefix(path, "/webhook/") {
			body, ctype = strings.NewReader("{}"), "application/json"
		} else {
			form := url.Values{}
			if withCSRF && s.csrf != "" {
				form.Set("csrf_token", s.csrf)
			}
			body, ctype = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
		}
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if withCSRF && s.csrf != "" && ctype == "application/json" {
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	if s.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+s.bearer)
	}
	n := fakeIP.Add(1)
	req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.18.%d.%d", n>>8&255, n&255))
	resp, err := s.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

func authzLogin(t *testing.T, base, username string) *authzSession {
	t.Helper()
	c := &apiClient{t: t, base: base, http: authzClient()}
	var out map[string]any
	if st := c.call("POST", "/api/v1/login", map[string]string{"username": username, "password": "demo-sandi-123"}, &out); st != 200 {
		t.Fatalf("login %s: %d %v", username, st, out)
	}
	return &authzSession{http: c.http, csrf: out["csrf_token"].(string)}
}

// TestAuthorizationMatrix sends every registered route as every principal
// and compares the status with authzMatrix.
func TestAuthorizationMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	m := startMain(t, t.TempDir(), "HAILURAH_TRUSTED_PROXIES=127.0.0.1,::1")
	base := m.HTTP.URL()
	ctx := context.Background()

	// Fixture: one Taman ticket, triaged, assigned to pupr.
	citizen := newAPIClient(t, base)
	var raw map[string]any
	if st := citizen.call("POST", "/api/v1/curhat", map[string]any{"text": gotCurhat, "channel": "web"}, &raw); st != http.StatusAccepted {
		t.Fatalf("curhat: %d %v", st, raw)
	}
	fx := authzFixture{ticketID: raw["ticket_id"].(string), trackingCode: raw["tracking_code"].(string)}
	var tr tracking
	eventually(t, "the AI reply", func() bool {
		citizen.call("GET", "/api/v1/track/"+fx.trackingCode, nil, &tr)
		return tr.Reply != ""
	})
	mod := staffClient(t, base, "moderator")
	if st := mod.call("POST", "/api/v1/tickets/"+fx.ticketID+"/actions", map[string]any{"action": "assign", "unit": "pupr"}, nil); st != 200 {
		t.Fatalf("assign: %d", st)
	}

	// A Taman household and a grant application for it.
	fasil := staffClient(t, base, "fasilitator")
	if st := fasil.send("/api/v1/households/import", "text/csv", []byte(grantCSV), nil); st != http.StatusOK {
		t.Fatalf("import households: %d", st)
	}
	var applied map[string]any
	if st := fasil.call("POST", "/api/v1/grants", map[string]any{"household_id": "TMN-101", "amount": 1_000_000,
		"purpose": "alat", "plan": "Membeli oven dan loyang untuk usaha kue basah."}, &applied); st != http.StatusCreated {
		t.Fatalf("apply grant: %d %v", st, applied)
	}
	fx.householdID, fx.grantID = "TMN-101", applied["id"].(string)
	fx.mediaID = authzPhoto(t, m, fx.ticketID)

	admin, err := m.DB.FindUserByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := m.DB.CreateAPIToken(ctx, admin.ID, "matrix")
	if err != nil {
		t.Fatal(err)
	}

	sessions := map[string]*authzSession{
		"anon":   {http: authzClient()},
		"warga":  {http: authzClient()},
		"bearer": {http: authzClient(), bearer: secret},
	}
	for p, u := range authzLogins {
		sessions[p] = authzLogin(t, base, u)
	}

	routes := m.HTTP.Routes()
	registered := map[string]bool{}
	var missing, stale []string
	for _, r := range routes {
		registered[r] = true
		if _, ok := authzMatrix[r]; !ok {
			missing = append(missing, r)
		}
	}
	for r := range authzMatrix {
		if !registered[r] {
			stale = append(stale, r)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	dump := os.Getenv("AUTHZ_DUMP") != ""
	if len(missing) > 0 && !dump {
		t.Errorf("routes without a row in authzMatrix:\n\t%s", strings.Join(missing, "\n\t"))
	}
	if len(stale) > 0 {
		t.Errorf("rows in authzMatrix for routes that are not registered:\n\t%s", strings.Join(stale, "\n\t"))
	}

	sort.Strings(routes)
	var dumped strings.Builder
	for _, route := range routes {
		method, _, _ := strings.Cut(route, " ")
		row, ok := authzMatrix[route]
		if !ok && !dump {
			continue
		}
		got := map[string]int{}
		for _, p := range authzPrincipals {
			s := sessions[p]
			if strings.HasSuffix(route, "/logout") && authzLogins[p] != "" {
				// Logging out ends the session: use a fresh one.
				s = authzLogin(t, base, authzLogins[p])
			}
			var loc string
			got[p], loc = authzDo(t, base, s, method, authzPath(route, p, fx), true)
			if ok && got[p] != row.want[p] {
				t.Errorf("%s as %s: got %d, want %d (%s)", route, p, got[p], row.want[p], row.note)
			}
			if ok && (p == "anon" || p == "warga") && got[p] == http.StatusSeeOther && !strings.HasPrefix(loc, "/login") && route != "GET /login" {
				t.Errorf("%s as %s: redirected to %q, want /login", route, p, loc)
			}
		}
		if dump {
			fmt.Fprintf(&dumped, "\t%q: {want: w(", route)
			for i, p := range authzPrincipals {
				if i > 0 {
					dumped.WriteString(", ")
				}
				fmt.Fprintf(&dumped, "%d", got[p])
			}
			dumped.WriteString(")},\n")
		}
	}
	if dump {
		t.Logf("observed:\n%s", dumped.String())
	}

	// A cookie-authenticated write without the CSRF token is refused
	// whatever the role, before authorization or validation.
	for _, c := range []struct{ principal, route string }{
		{"mod", "POST /api/v1/tickets/:id/actions"},
		{"admin", "POST /api/v1/notifications/read"},
		{"admin", "POST /admin/pengguna"},
		{"mod", "POST /tiket/:id/aksi"},
		{"mod", "POST /api/v1/tickets/:id/contact"},
		{"pupr", "POST /tiket/:id/kontak"},
		{"lurah", "POST /pilot"},
		{"fasil", "POST /api/v1/households/import"},
	} {
		method, _, _ := strings.Cut(c.route, " ")
		if got, _ := authzDo(t, base, sessions[c.principal], method, authzPath(c.route, c.principal, fx), false); got != http.StatusForbidden {
			t.Errorf("%s as %s without CSRF token: got %d, want 403", c.route, c.principal, got)
		}
	}

	// A 200 on the ticket list must still be scoped: the Taman ticket
	// assigned to pupr is listed only for Taman's staff, pupr and admin.
	for p, want := range map[string]bool{"mod": true, "lurah": true, "pupr": true, "admin": true, "mod2": false, "lurah2": false, "dlh": false} {
		s := sessions[p]
		c := &apiClient{t: t, base: base, http: s.http, csrf: s.csrf}
		var list struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if st := c.call("GET", "/api/v1/tickets", nil, &list); st != http.StatusOK {
			t.Errorf("ticket list as %s: %d", p, st)
			continue
		}
		listed := false
		for _, it := range list.Items {
			listed = listed || it.ID == fx.ticketID
		}
		if listed != want {
			t.Errorf("ticket list as %s lists the fixture ticket: %v, want %v", p, listed, want)
		}
	}
}

// authzPhoto keeps a photo for the ticket as the media download would:
// the file and its thumbnail in the program's storage, the row in its
// store.
func authzPhoto(t *testing.T, m *Main, ticketID string) string {
	t.Helper()
	ctx := context.Background()
	src := "whatsapp-media:424242"
	p := &hailurah.Media{ID: hailurah.MediaID(ticketID, src), TicketID: ticketID, Source: src, Type: hailurah.MediaImage,
		MIME: "image/png", Status: hailurah.MediaStored}
	p.StorageKey, p.ThumbnailKey = media.Key(ticketID, p.ID, ".png"), media.ThumbKey(ticketID, p.ID)
	for _, key := range []string{p.StorageKey, p.ThumbnailKey} {
		if err := m.mediaStorage().Put(ctx, key, "image/png", []byte("\x89PNG\r\n\x1a\n")); err != nil {
			t.Fatal(err)
		}
	}
	if err := mediastore.New(m.DB).SaveMedia(ctx, p); err != nil {
		t.Fatal(err)
	}
	return p.ID
}
