package ui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
)

type devPhonePage struct {
	Numbers []devNumber
	Phones  []devPhone
}

// devPhone is a number the simulated phone offers to write from: a
// citizen's sample, or a staff member's own, to answer a notice as they
// would (TERIMA, SELESAI…).
type devPhone struct {
	Number, Label string
}

// devNumber is one of our WhatsApp numbers the simulated phone can write
// to: the city's, or a kelurahan's own.
type devNumber struct {
	ID    string
	Label string
}

func (s *UI) devPhonePage(c *gin.Context) {
	data := devPhonePage{Phones: []devPhone{{"0812-3456-7890", "Warga"}, {"0857-1234-5678", "Warga"}, {"0896-1112-2233", "Warga"}}}
	if users, err := s.Users.ListUsers(c.Request.Context(), hailurah.UserFilter{}); err == nil {
		for _, u := range users {
			if u.Phone != "" && !u.Disabled {
				data.Phones = append(data.Phones, devPhone{u.Phone, u.Name + " (" + u.Role.Label() + ")"})
			}
		}
	}
	city := s.PhoneNumberID
	data.Numbers = append(data.Numbers, devNumber{ID: city, Label: "Nomor kota (bersama)"})
	if all, err := s.Kelurahan.ListKelurahan(c.Request.Context()); err == nil {
		for _, k := range all {
			if k.WhatsAppPhoneNumberID != "" && k.WhatsAppPhoneNumberID != city {
				data.Numbers = append(data.Numbers, devNumber{ID: k.WhatsAppPhoneNumberID, Label: "Nomor Kelurahan " + k.Name})
			}
		}
	}
	s.renderPage(c, http.StatusOK, "citizen_phone", pageData{Title: "Telepon simulasi", Wide: true, Data: data})
}
