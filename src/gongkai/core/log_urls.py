"""(placeholder: being written)"""

app_name = "log"
urlpatterns: list = []
