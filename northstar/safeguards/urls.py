app_name = "safeguards"
urlpatterns: list = []
