package fieldui

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/media"
	"github.com/hailurah/hailurah/server/app"
	"github.com/hailurah/hailurah/server/ui"
)

// tokoPhotoPrefix is the folder of the catalogue's photos in the media
// storage, beside the tickets' (a ticket id never starts with it).
const tokoPhotoPrefix = "toko-warga"

type productView struct {
	ID                                            int64
	Name, Description, Price, Business, Household string
	HHID                                          string
	Photo, OrderURL                               string
	Consent, Hidden                               bool
	Orders                                        int
}

func viewProduct(p *hailurah.TokoProduct) productView {
	v := productView{ID: p.ID, Name: p.Name, Description: p.Description, Price: hailurah.FormatRupiah(p.Price), Business: p.BusinessName,
		HHID: p.HouseholdID, Consent: p.WAConsent, Hidden: p.Hidden, Orders: p.Orders}
	if p.PhotoKey != "" {
		v.Photo = "/toko-warga/" + strconv.FormatInt(p.ID, 10) + "/foto"
	}
	if p.OrderLink() != "" {
		v.OrderURL = "/toko-warga/" + strconv.FormatInt(p.ID, 10) + "/pesan"
	}
	return v
}

// --- public ---

// shopPage: GET /toko-warga — the public catalogue: products that are
// not hidden, with the business name and, with consent, the order button.
func (s *Pages) shopPage(c *gin.Context) {
	list, err := s.Programme.Field.ListProducts(c.Request.Context(), c.Query("kelurahan"), false)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	var rows []productView
	for _, p := range list {
		rows = append(rows, viewProduct(p))
	}
	s.ui.Render(c, http.StatusOK, "field_shop", ui.Page{Title: "Toko Warga Taman", Data: rows})
}

// orderRedirect: GET /toko-warga/{id}/pesan — counts the click as an order
// and sends the buyer to the seller's WhatsApp; a product without consent
// or hidden has no link.
func (s *Pages) orderRedirect(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	p, err := s.Programme.Field.FindProduct(c.Request.Context(), id)
	if err == nil && (p.Hidden || p.OrderLink() == "") {
		err = hailurah.Errorf(hailurah.ENOTFOUND, "Produk ini belum bisa dipesan lewat WhatsApp.")
	}
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	if err := s.Programme.Field.RecordOrder(c.Request.Context(), &hailurah.TokoOrder{ProductID: p.ID, Source: hailurah.OrderClick, Quantity: 1}); err != nil {
		// The buyer still reaches the seller; the count misses one.
		s.Logger.ErrorContext(c.Request.Context(), "toko order click", "product", p.ID, "err", err)
	}
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, p.OrderLink())
}

// productPhoto: GET /toko-warga/{id}/foto — the product's photo (its
// 320 px thumbnail), public unless the product is hidden.
func (s *Pages) productPhoto(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	p, err := s.Programme.Field.FindProduct(c.Request.Context(), id)
	if err != nil || p.PhotoKey == "" || s.Media == nil || (p.Hidden && app.PrincipalOf(c) == nil) {
		c.Status(http.StatusNotFound)
		return
	}
	key, typ := thumbKey(p.PhotoKey), "image/jpeg"
	f, size, err := s.Media.Files.Open(c.Request.Context(), key)
	if err != nil {
		key, typ = p.PhotoKey, p.PhotoMIME
		if f, size, err = s.Media.Files.Open(c.Request.Context(), key); err != nil {
			c.Status(http.StatusNotFound)
			return
		}
	}
	defer f.Close()
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "public, max-age=300")
	c.DataFromReader(http.StatusOK, size, typ, f, nil)
}

func thumbKey(key string) string {
	dir, file, _ := strings.Cut(key, "/")
	name, _, _ := strings.Cut(file, ".")
	return media.ThumbKey(dir, name)
}

// --- staff ---

type productsData struct {
	Rows       []productView
	Households []option
	Form       map[string]string
	Options    []option
	Kel        string
	CanWrite   bool
	Edit       *productView
}

// productsPage: GET /toko-warga/kelola — every product of the kelurahan,
// hidden ones too, and the form of a new one.
func (s *Pages) productsPage(c *gin.Context) { s.renderProducts(c, nil, nil, fieldErrors{}) }

func (s *Pages) renderProducts(c *gin.Context, edit *hailurah.TokoProduct, form map[string]string, e fieldErrors) {
	kel, opts, err := s.kelurahan(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	if edit != nil {
		kel, opts = edit.Kelurahan, nil
	}
	list, err := s.Programme.Field.ListProducts(c.Request.Context(), kel, true)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	hs, err := s.householdOptions(c, kel)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	d := &productsData{Form: form, Options: opts, CanWrite: canWrite(c), Households: hs, Kel: kel}
	for _, p := range list {
		d.Rows = append(d.Rows, viewProduct(p))
	}
	title := "Kelola Toko Warga"
	if edit != nil {
		v := viewProduct(edit)
		d.Edit = &v
		title = "Ubah produk " + edit.Name
		if d.Form == nil {
			d.Form = productForm(edit)
		}
	}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	s.render(c, "field_products", title, e, d)
}

func productForm(p *hailurah.TokoProduct) map[string]string {
	f := map[string]string{"household_id": p.HouseholdID, "name": p.Name, "description": p.Description, "price": groupRupiah(p.Price),
		"business_name": p.BusinessName, "seller_phone": p.SellerPhone}
	if p.WAConsent {
		f["wa_consent"] = "on"
	}
	if p.Hidden {
		f["hidden"] = "on"
	}
	return f
}

func (s *Pages) visibleProduct(c *gin.Context) (*hailurah.TokoProduct, error) {
	return visible(c, s.Programme.Field.FindProduct, func(v *hailurah.TokoProduct) string { return v.Kelurahan }, "Produk")
}

// productPage: GET /toko-warga/kelola/{id} — the product's form to edit or
// hide it, and the form of orders a seller reported.
func (s *Pages) productPage(c *gin.Context) {
	p, err := s.visibleProduct(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	s.renderProducts(c, p, nil, fieldErrors{})
}

// productCreate: POST /toko-warga/kelola.
func (s *Pages) productCreate(c *gin.Context) {
	s.saveProduct(c, &hailurah.TokoProduct{CreatedBy: app.UserOf(c).Username}, nil)
}

// productUpdate: POST /toko-warga/kelola/{id}.
func (s *Pages) productUpdate(c *gin.Context) {
	p, err := s.visibleProduct(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	old := *p
	s.saveProduct(c, p, &old)
}

func (s *Pages) saveProduct(c *gin.Context, p *hailurah.TokoProduct, old *hailurah.TokoProduct) {
	kel, _, err := s.kelurahan(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	form := map[string]string{}
	for _, k := range []string{"household_id", "name", "description", "price", "business_name", "seller_phone", "wa_consent", "hidden"} {
		form[k] = c.PostForm(k)
	}
	e := fieldErrors{}
	p.HouseholdID, p.Name, p.Description = strings.TrimSpace(form["household_id"]), form["name"], form["description"]
	p.BusinessName, p.SellerPhone = form["business_name"], form["seller_phone"]
	p.WAConsent, p.Hidden = form["wa_consent"] != "", form["hidden"] != ""
	p.Price = rupiah(e, "price", form["price"], "Harga", 0)
	e.addAll(p.FieldErrors())
	if p.HouseholdID != "" {
		if h, err := s.VisibleHousehold(c, p.HouseholdID); err != nil || h.Kelurahan != kel {
			e.add("household_id", "Pilih rumah tangga penjual dari kelurahan Anda.")
		}
	}
	photo, err := s.photo(c)
	if err != nil && !e.addErr(err) {
		s.ui.RenderError(c, err)
		return
	}
	if len(e) == 0 && photo != nil {
		if err := s.keepPhoto(c, p, photo); err != nil && !e.addErr(err) {
			s.ui.RenderError(c, err)
			return
		}
	}
	if len(e) == 0 {
		if err := s.Programme.Field.SaveProduct(c.Request.Context(), p); err != nil && !e.addErr(err) {
			s.ui.RenderError(c, err)
			return
		}
	}
	if len(e) > 0 {
		s.renderProducts(c, old, form, e)
		return
	}
	s.Audit(c, "toko.product", strconv.FormatInt(p.ID, 10), "")
	c.Redirect(http.StatusSeeOther, "/toko-warga/kelola?ok=produk#produk-"+strconv.FormatInt(p.ID, 10))
}

// photo reads the form's photo and checks it as the citizens' photos are
// checked: by its content, an image only, its metadata (EXIF: where it
// was taken) stripped. nil when none was chosen.
func (s *Pages) photo(c *gin.Context) (*media.Checked, error) {
	fh, err := c.FormFile("photo")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, nil
	}
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return nil, hailurah.FieldErrorf("photo", "Foto terlalu besar (maks. %d MB).", app.TokoPhotoBody>>20)
		}
		return nil, hailurah.FieldErrorf("photo", "Foto tidak terbaca; coba pilih lagi.")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, hailurah.FieldErrorf("photo", "Foto tidak terbaca; coba pilih lagi.")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, app.TokoPhotoBody+1))
	if err != nil || len(data) > app.TokoPhotoBody {
		return nil, hailurah.FieldErrorf("photo", "Foto terlalu besar (maks. %d MB).", app.TokoPhotoBody>>20)
	}
	checked, err := media.Check(data)
	if err != nil || checked.Type != hailurah.MediaImage {
		return nil, hailurah.FieldErrorf("photo", "Berkas ini bukan foto yang bisa dipakai: pilih foto JPEG, PNG atau WebP.")
	}
	return checked, nil
}

// keepPhoto stores the checked photo and its thumbnail under a name of
// its content and points p at it.
func (s *Pages) keepPhoto(c *gin.Context, p *hailurah.TokoProduct, photo *media.Checked) error {
	if s.Media == nil || s.Media.Files == nil {
		return hailurah.FieldErrorf("photo", "Penyimpanan foto belum tersedia; simpan produk tanpa foto dulu.")
	}
	sum := sha256.Sum256(photo.Data)
	name := hex.EncodeToString(sum[:])[:24]
	key := media.Key(tokoPhotoPrefix, name, photo.Ext)
	ctx := c.Request.Context()
	if err := s.Media.Files.Put(ctx, key, photo.MIME, photo.Data); err != nil {
		return err
	}
	if photo.Thumb != nil {
		if err := s.Media.Files.Put(ctx, media.ThumbKey(tokoPhotoPrefix, name), "image/jpeg", photo.Thumb); err != nil {
			return err
		}
	}
	p.PhotoKey, p.PhotoMIME = key, photo.MIME
	return nil
}

// orderForm: POST /toko-warga/kelola/{id}/pesanan — orders the seller
// reported: how many, and their value when known.
func (s *Pages) orderForm(c *gin.Context) {
	p, err := s.visibleProduct(c)
	if err != nil {
		s.ui.RenderError(c, err)
		return
	}
	form := map[string]string{"quantity": c.PostForm("quantity"), "amount": c.PostForm("amount")}
	e := fieldErrors{}
	n, convErr := strconv.Atoi(strings.TrimSpace(form["quantity"]))
	if convErr != nil {
		e.add("quantity", "Jumlah pesanan harus angka, misalnya 3.")
	}
	o := &hailurah.TokoOrder{ProductID: p.ID, Source: hailurah.OrderReport, Quantity: n,
		Amount: rupiah(e, "amount", form["amount"], "Nilai pesanan", 0), By: app.UserOf(c).Username}
	if convErr == nil {
		e.addAll(o.FieldErrors())
	}
	if len(e) == 0 {
		if err := s.Programme.Field.RecordOrder(c.Request.Context(), o); err != nil && !e.addErr(err) {
			s.ui.RenderError(c, err)
			return
		}
	}
	if len(e) > 0 {
		s.renderProducts(c, p, nil, e)
		return
	}
	s.Audit(c, "toko.order", strconv.FormatInt(p.ID, 10), strconv.Itoa(n))
	c.Redirect(http.StatusSeeOther, "/toko-warga/kelola/"+strconv.FormatInt(p.ID, 10)+"?ok=pesanan")
}
