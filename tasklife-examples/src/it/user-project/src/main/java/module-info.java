/** A user's application on the module path: it needs only tasklife's API module. */
module com.example.tour {
    requires org.tasklife;
}
