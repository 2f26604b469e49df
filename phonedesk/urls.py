app_name = "phonedesk"

urlpatterns = []
