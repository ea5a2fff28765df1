from pos import create_app
from pos.runtime import building, prepare_wsgi

building()
app = create_app()
prepare_wsgi(app)
