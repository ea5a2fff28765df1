from pos import create_app
from pos.runtime import prepare_wsgi

app = create_app()
prepare_wsgi(app)
