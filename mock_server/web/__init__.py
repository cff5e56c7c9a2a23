"""The HTTP side: Connexion apps per spec, the admin API, CORS and the request journal."""
