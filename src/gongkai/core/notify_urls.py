"""(placeholder: being written)"""

app_name = "inbox"
urlpatterns: list = []
