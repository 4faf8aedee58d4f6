package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hailurah/hailurah"
	"github.com/hailurah/hailurah/server/app"
)

// userRoutes: the admin's view and change of staff accounts.
func (s *API) userRoutes(api *gin.RouterGroup) {
	admin := app.RequireRole(hailurah.RoleAdmin)
	api.GET("/users", s.RequireStaff, admin, s.apiUsers)
	api.GET("/users/:username", s.RequireStaff, admin, s.apiUser)
	api.PATCH("/users/:username", s.RequireStaff, admin, s.apiPatchUser)
}

type usersResponse struct {
	Items []*hailurah.User `json:"items"`
}

// apiUsers: GET /api/v1/users (admin).
func (s *API) apiUsers(c *gin.Context) {
	users, err := s.Users.ListUsers(c.Request.Context(), hailurah.UserFilter{})
	if err != nil {
		app.Fail(c, err)
		return
	}
	if users == nil {
		users = []*hailurah.User{}
	}
	c.JSON(http.StatusOK, usersResponse{Items: users})
}

// apiUser: GET /api/v1/users/{username} (admin).
func (s *API) apiUser(c *gin.Context) {
	u, err := s.Users.FindUserByUsername(c.Request.Context(), c.Param("username"))
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

// apiPatchUser: PATCH /api/v1/users/{username} (admin) with any of
// {"name", "phone", "whatsapp_notices", "role", "kelurahan", "unit",
// "disabled"}; answers the user after the change.
func (s *API) apiPatchUser(c *gin.Context) {
	var ch app.UserChange
	if err := app.BindJSON(c, &ch); err != nil {
		app.Fail(c, err)
		return
	}
	u, err := s.UpdateUser(c, c.Param("username"), ch)
	if err != nil {
		app.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}
